import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/generated/prisma/client";
import { reportConnectionError } from "../stopping";

/**
 * Process-wide clients. They live on globalThis because Next.js bundles route handlers
 * and instrumentation separately: module-level singletons would be created per bundle.
 */
interface Clients {
  url: string;
  pool: pg.Pool;
  prisma: PrismaClient;
}

const globalClients = globalThis as unknown as { __sluiceClients?: Clients };

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start Sluice with `npm start`, which provides a database");
  return url;
}

function clients(): Clients {
  const url = databaseUrl();
  const existing = globalClients.__sluiceClients;
  if (existing && existing.url === url) return existing;
  // JIT compiles each large statement for ~1 s and rarely wins back more on our short, wide queries.
  const pool = new pg.Pool({ connectionString: url, max: 10, options: "-c jit=off" });
  // A client losing its connection must not crash the process: an idle one is replaced by the
  // pool, a busy one's query rejects (and the node job retries, the error being transient).
  pool.on("error", (error) => reportConnectionError("[db] idle connection error", error));
  pool.on("connect", (client) => client.on("error", (error) => reportConnectionError("[db] connection error", error)));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  globalClients.__sluiceClients = { url, pool, prisma };
  return globalClients.__sluiceClients;
}

export function getPrisma(): PrismaClient {
  return clients().prisma;
}

/** Raw pg pool for set-based SQL the ORM cannot express (the engine, COPY, bulk updates). */
export function getPool(): pg.Pool {
  return clients().pool;
}

export async function closeDatabaseClients(): Promise<void> {
  const existing = globalClients.__sluiceClients;
  if (!existing) return;
  globalClients.__sluiceClients = undefined;
  await existing.prisma.$disconnect();
  await existing.pool.end();
}
