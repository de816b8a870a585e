import { defineConfig } from "prisma/config";

// DATABASE_URL may be unset (the app then starts an embedded PostgreSQL), and
// `prisma generate` needs no connection, so no env() here: it throws when unset.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/sluice" },
});
