import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { getPool, getPrisma } from "../db/client";
import { defaultWorkspaceId } from "../workspace";

/** What every procedure receives. Handlers take `{ ctx, input }` and nothing else. */
export async function createContext() {
  const prisma = getPrisma();
  return { prisma, pool: getPool(), workspaceId: await defaultWorkspaceId(prisma), actor: "you" };
}
export type TContext = Awaited<ReturnType<typeof createContext>>;

const t = initTRPC.context<TContext>().create({
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
export const publicProcedure = t.procedure;

/** Throws tRPC's NOT_FOUND with a message naming what was missing. */
export function notFound(what: string, id: string): never {
  throw new TRPCError({ code: "NOT_FOUND", message: `${what} ${id} does not exist` });
}
