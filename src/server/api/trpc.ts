import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { roleAllows, roleRefusal, type TRole } from "../auth/roles";
import { getPool, getPrisma } from "../db/client";
import { defaultWorkspaceId } from "../workspace";

/** What every procedure receives. Handlers take `{ ctx, input }` and nothing else. */
export interface TContext {
  prisma: ReturnType<typeof getPrisma>;
  pool: ReturnType<typeof getPool>;
  workspaceId: string;
  actor: string;
  /** The caller's role in the workspace, or null for nobody signed in. */
  role: TRole | null;
}

export async function createContext(): Promise<TContext> {
  const prisma = getPrisma();
  // Until accounts exist the one person using Sluice owns its one workspace.
  return { prisma, pool: getPool(), workspaceId: await defaultWorkspaceId(prisma), actor: "you", role: "owner" };
}

/** Declared on every procedure so one test can walk the router and check each entry point's door. */
export interface TProcedureMeta {
  role: TRole | "public";
}

const t = initTRPC.context<TContext>().meta<TProcedureMeta>().create({
  // superjson carries BigInt row counts and Dates to the browser intact.
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
/** Reachable without a signed-in caller: only what checks its own secret, or reveals nothing. */
export const publicProcedure = t.procedure.meta({ role: "public" });

function procedureFor(needed: TRole) {
  return t.procedure.meta({ role: needed }).use(({ ctx, next }) => {
    if (ctx.role === null) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
    if (!roleAllows(ctx.role, needed)) throw new TRPCError({ code: "FORBIDDEN", message: roleRefusal(ctx.role, needed) });
    return next({ ctx: { ...ctx, role: ctx.role } });
  });
}

/** Reads pipelines, runs, quarantine, lineage and dashboards. */
export const viewerProcedure = procedureFor("viewer");
/** Also builds, saves, runs, fixes, re-ingests and discards. */
export const editorProcedure = procedureFor("editor");
/** Also manages members, API tokens, connections, secrets and settings. */
export const ownerProcedure = procedureFor("owner");

/** Throws tRPC's NOT_FOUND with a message naming what was missing. */
export function notFound(what: string, id: string): never {
  throw new TRPCError({ code: "NOT_FOUND", message: `${what} ${id} does not exist` });
}
