import { PrismaPg } from "@prisma/adapter-pg";
import type { AnyProcedure } from "@trpc/server";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { PrismaClient } from "@/generated/prisma/client";
import type { TRole } from "../auth/roles";
import { appRouter } from "./root";

// A client that never connects: the role check refuses before any handler reaches the database.
const pool = new pg.Pool({ connectionString: "postgresql://unused@localhost/unused" });
const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
const callerAs = (role: TRole | null) => appRouter.createCaller({ prisma, pool, workspaceId: "ws", actor: "tester", role, userId: role ? "tester" : null });

describe("the doors of the tRPC app router", () => {
  it("has a role declared on every procedure", () => {
    // At run time tRPC keeps every procedure of nested routers in one flat map keyed by its dotted path; its type shows the nesting.
    const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
    const undeclared = Object.entries(procedures)
      .filter(([, procedure]) => !(procedure._def.meta as { role?: string } | undefined)?.role)
      .map(([path]) => path);
    expect(undeclared).toEqual([]);
  });

  it("refuses anonymous callers and roles below the procedure's", async () => {
    await expect(callerAs(null).pipelines.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(callerAs("viewer").runs.start({ pipelineId: "3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerAs("editor").tokens.create({ name: "ci" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "This needs the owner role in this workspace; yours is editor",
    });
  });
});
