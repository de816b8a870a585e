import "server-only";
import { callerFromSession } from "../auth/caller";
import { roleAllows, roleRefusal, type TRole } from "../auth/roles";
import { sessionContext, type TRequestContext } from "../context";
import { getPrisma } from "../db/client";
import { ApiError } from "./errors";

/**
 * The caller of a route handler the app's own pages use (uploads, CSV export): the session
 * cookie's user, refused with 401 when there is none and 403 below `needed`.
 */
export async function authorizeSession(request: Request, needed: TRole): Promise<TRequestContext> {
  const caller = await callerFromSession(getPrisma(), request.headers);
  if (!caller) throw new ApiError(401, "unauthorized", "Sign in first");
  const { role, workspaceId, ...ctx } = sessionContext(caller);
  if (!role || !workspaceId) throw new ApiError(403, "forbidden", "You are not a member of any workspace; ask an owner for an invitation");
  if (!roleAllows(role, needed)) throw new ApiError(403, "forbidden", roleRefusal(role, needed));
  return { ...ctx, role, workspaceId };
}
