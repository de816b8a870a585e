/**
 * The request context: who is calling, in which workspace, with which role, and the
 * databases to act on. Every entry point builds it the same way (tRPC procedures, REST
 * endpoints, the route handlers of the app's pages); a service names the fields it uses
 * (`Pick<TRequestContext, "prisma" | "workspaceId">`), so a job or a test calls it with
 * just those.
 */
import type pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import type { TCaller } from "./auth/caller";
import type { TRole } from "./auth/roles";
import { getPool, getPrisma } from "./db/client";

/** A member of a workspace acting in it. */
export interface TRequestContext {
  prisma: PrismaClient;
  pool: pg.Pool;
  workspaceId: string;
  /** How the caller is named in run history and the audit log. */
  actor: string;
  /** The caller's role in the workspace; entry points compare it with the role they declare. */
  role: TRole;
  /** The caller's user, for the audit log; null for SLUICE_API_TOKEN and callers without one (jobs, tests). */
  userId?: string | null;
  /** The session acted through; null for API tokens, tests and in-process callers. */
  sessionId?: string | null;
  /** The client's address as the front door reported it, for the audit log. */
  address?: string | null;
}

/**
 * A request whose caller is not yet known to be a member: tRPC's context before a role
 * procedure checks it (anonymous callers, users in no workspace).
 */
export type TUncheckedContext = Omit<TRequestContext, "workspaceId" | "role" | "userId"> & {
  workspaceId: string | null;
  role: TRole | null;
  userId: string | null;
};

/** The context of a request whose session cookie names `caller` (null: nobody signed in). */
export function sessionContext(caller: TCaller | null): TUncheckedContext {
  return {
    prisma: getPrisma(),
    pool: getPool(),
    workspaceId: caller?.workspaceId ?? null,
    actor: caller?.actor ?? "anonymous",
    role: caller?.role ?? null,
    userId: caller?.user.id ?? null,
    sessionId: caller?.sessionId ?? null,
    address: caller?.address ?? null,
  };
}
