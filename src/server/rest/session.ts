import "server-only";
import { callerFromSession } from "../auth/caller";
import { roleAllows, roleRefusal, type TRole } from "../auth/roles";
import { getPool, getPrisma } from "../db/client";
import type { TRestContext } from "./endpoint";
import { ApiError } from "./errors";

/**
 * The caller of a route handler the app's own pages use (uploads, CSV export): the session
 * cookie's user, refused with 401 when there is none and 403 below `needed`.
 */
export async function authorizeSession(request: Request, needed: TRole): Promise<TRestContext> {
  const prisma = getPrisma();
  const caller = await callerFromSession(prisma, request.headers);
  if (!caller) throw new ApiError(401, "unauthorized", "Sign in first");
  if (!caller.role || !caller.workspaceId) throw new ApiError(403, "forbidden", "You are not a member of any workspace; ask an owner for an invitation");
  if (!roleAllows(caller.role, needed)) throw new ApiError(403, "forbidden", roleRefusal(caller.role, needed));
  return { prisma, pool: getPool(), workspaceId: caller.workspaceId, actor: caller.actor, role: caller.role, userId: caller.user.id, address: caller.address };
}
