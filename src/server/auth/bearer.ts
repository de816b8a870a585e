import { createHash, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "@/generated/prisma/client";
import { lowerRole, type TRole } from "./roles";
import { hashToken } from "./tokens";

/** lastUsedAt is written at most this often per token, so busy clients do not turn every request into a write. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export type TBearerResult =
  | { ok: true; workspaceId: string; actor: string; role: TRole; tokenId: string | null; userId: string | null }
  | { ok: false; reason: string; invalidToken: boolean };

export interface BearerOptions {
  /** SLUICE_API_TOKEN: accepted as an admin token acting in the default workspace. */
  adminToken?: string;
  defaultWorkspaceId: () => Promise<string>;
  now?: Date;
}

/** Compares digests so neither the length nor a prefix of the secret leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Resolves an `Authorization` header to a workspace and an actor name, or says why it cannot. */
export async function authenticateBearer(prisma: PrismaClient, authorization: string | null, options: BearerOptions): Promise<TBearerResult> {
  if (!authorization) {
    return { ok: false, invalidToken: false, reason: "Authentication required: send an API token as `Authorization: Bearer <token>` (create one under Settings)" };
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  const token = match?.[1];
  if (!token) return { ok: false, invalidToken: true, reason: "The Authorization header must be `Bearer <token>`" };

  if (options.adminToken !== undefined && sameSecret(token, options.adminToken)) {
    return { ok: true, workspaceId: await options.defaultWorkspaceId(), actor: "api:admin", role: "owner", tokenId: null, userId: null };
  }

  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      workspaceId: true,
      name: true,
      role: true,
      revokedAt: true,
      expiresAt: true,
      lastUsedAt: true,
      user: { select: { id: true, name: true, email: true, memberships: { select: { workspaceId: true, role: true } } } },
    },
  });
  if (!row) return { ok: false, invalidToken: true, reason: "The API token is not valid; check it was copied whole, or create a new one under Settings" };
  if (row.revokedAt) return { ok: false, invalidToken: true, reason: `The API token "${row.name}" was revoked on ${row.revokedAt.toISOString()}` };
  const now = options.now ?? new Date();
  if (row.expiresAt && row.expiresAt <= now) return { ok: false, invalidToken: true, reason: `The API token "${row.name}" expired on ${row.expiresAt.toISOString()}` };
  // A token acts for its user: once the user leaves the workspace (or is deleted) it stops working at once.
  const membership = row.user?.memberships.find((m) => m.workspaceId === row.workspaceId);
  if (!row.user || !membership) {
    return { ok: false, invalidToken: true, reason: `The API token "${row.name}" belongs to nobody in its workspace any more; create a new one under Settings` };
  }

  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!row.lastUsedAt || row.lastUsedAt < stale) {
    // The condition is repeated in SQL so concurrent requests that all saw a stale value write once.
    await prisma.apiToken.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] },
      data: { lastUsedAt: now },
    });
  }
  return {
    ok: true,
    workspaceId: row.workspaceId,
    actor: `${row.user.name} <${row.user.email}> via token "${row.name}"`,
    role: lowerRole(row.role, membership.role),
    tokenId: row.id,
    userId: row.user.id,
  };
}
