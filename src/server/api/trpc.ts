import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { roleAllows, roleRefusal, type TRole } from "../auth/roles";
import { callerFromSession } from "../auth/caller";
import { sessionContext, type TUncheckedContext } from "../context";
import { getPrisma } from "../db/client";
import { publicError } from "../error-map";
import * as serviceErrors from "../errors";
import { unstorableTextProblem } from "../http/storable-text";

/**
 * The caller the request's session cookie names: who, which workspace, which role. Handlers
 * take `{ ctx, input }` and nothing else; role procedures narrow `ctx` to a TRequestContext.
 */
export async function createContext(opts: { headers: Headers }): Promise<TUncheckedContext> {
  return sessionContext(await callerFromSession(getPrisma(), opts.headers));
}

/** Declared on every procedure so one test can walk the router and check each entry point's door. */
export interface TProcedureMeta {
  role: TRole | "signed-in" | "public";
}

/** What callers are told of a failure nobody anticipated; the route handler logs the real one. */
export const INTERNAL_ERROR_MESSAGE = "Something went wrong on the server; the error was logged. Try again, and report it if it persists.";

/** The errors services throw on purpose: their messages are written for people. */
function isServiceError(cause: unknown): boolean {
  return Object.values(serviceErrors).some((ErrorClass) => cause instanceof ErrorClass);
}

const t = initTRPC.context<TUncheckedContext>().meta<TProcedureMeta>().create({
  // superjson carries BigInt row counts and Dates to the browser intact.
  transformer: superjson,
  /**
   * No stack traces and no messages of unanticipated errors reach the client, in development
   * as in production: a database or library error names server files, SQL and internals.
   */
  errorFormatter({ shape, error }) {
    const { stack: _stack, ...data } = shape.data;
    const unanticipated = error.code === "INTERNAL_SERVER_ERROR" && !isServiceError(error.cause);
    return {
      ...shape,
      message: unanticipated ? INTERNAL_ERROR_MESSAGE : shape.message,
      data: {
        ...data,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Text PostgreSQL cannot store as sent is refused before any procedure sees it
 * (storable-text.ts); an error a service throws on purpose leaves as the tRPC code the
 * error table gives it (../error-map.ts), the original kept as its `cause`.
 */
const procedure = t.procedure.use(async ({ getRawInput, next }) => {
  const problem = unstorableTextProblem(await getRawInput(), "The input");
  if (problem !== null) throw new TRPCError({ code: "BAD_REQUEST", message: problem });
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    const answer = result.error.code === "INTERNAL_SERVER_ERROR" ? publicError(cause) : undefined;
    if (answer && cause) throw new TRPCError({ code: answer.trpc, message: cause.message, cause });
  }
  return result;
});

/** Needs a signed-in user but no workspace role: the user's own account and workspace list, accepting invitations. */
export const signedInProcedure = procedure.meta({ role: "signed-in" }).use(({ ctx, next }) => {
  if (ctx.userId === null) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { ...ctx, userId: ctx.userId } });
});

/** Reachable without a signed-in caller: only what checks its own secret, or reveals nothing. */
export const publicProcedure = procedure.meta({ role: "public" });

function procedureFor(needed: TRole) {
  return procedure.meta({ role: needed }).use(({ ctx, next }) => {
    if (ctx.userId === null) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
    if (ctx.role === null || ctx.workspaceId === null) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any workspace; ask an owner for an invitation" });
    if (!roleAllows(ctx.role, needed)) throw new TRPCError({ code: "FORBIDDEN", message: roleRefusal(ctx.role, needed) });
    return next({ ctx: { ...ctx, role: ctx.role, workspaceId: ctx.workspaceId, userId: ctx.userId } });
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
