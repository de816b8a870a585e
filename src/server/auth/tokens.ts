import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { InvalidSettingError, NotFoundError } from "../errors";
import { roleAllows, ZRole } from "./roles";
import type { TRequestContext } from "../context";

/** Every API token starts with this, so leaked tokens are easy to recognise (secret scanners, logs). */
export const TOKEN_PREFIX = "slc_";
/** How much of a token is kept in clear to tell tokens apart: the prefix and 8 secret characters. */
const DISPLAY_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId">;

/** Who creates a token: it acts for them, never above their role. */
type CreatorCtx = Ctx &
  Pick<TRequestContext, "role"> &
  Partial<Pick<TRequestContext, "actor">> & {
    /** A token belongs to a user: SLUICE_API_TOKEN cannot make one. */
    userId: string;
  };

/** A new secret: `slc_` + 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** Tokens are stored as this digest only; a database leak does not leak usable tokens. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function displayPrefix(token: string): string {
  return token.slice(0, DISPLAY_PREFIX_LENGTH);
}

const PUBLIC_FIELDS = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  expiresAt: true,
  user: { select: { name: true, email: true } },
} as const;

export const ZCreateTokenInput = z.object({
  name: z.string().trim().min(1, "Give the token a name, e.g. where it will be used").max(100),
  role: ZRole.optional().describe("At most the creator's role; default: theirs"),
  expiresInDays: z.number().int().min(1).max(3650).optional().describe("Days until it stops working; unset: never"),
});
export type TCreateTokenInput = z.infer<typeof ZCreateTokenInput>;

/**
 * Creates a token for the caller; the plaintext is in the result and nowhere else, ever.
 * `role` defaults to the caller's and may not exceed it; `expiresInDays` unset: it never expires.
 */
export async function createApiToken(ctx: CreatorCtx, input: TCreateTokenInput) {
  const role = input.role ?? ctx.role;
  if (!roleAllows(ctx.role, role)) throw new InvalidSettingError("role", `A token cannot have a higher role than yours (${ctx.role})`);
  const token = generateToken();
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const row = await ctx.prisma.apiToken.create({
    data: { workspaceId: ctx.workspaceId, userId: ctx.userId, role, name: input.name, prefix: displayPrefix(token), tokenHash: hashToken(token), expiresAt },
    select: PUBLIC_FIELDS,
  });
  await recordAudit({ ...ctx, actor: ctx.actor ?? "system" }, { action: "token.created", target: row.id, details: { name: row.name, role, expiresAt } });
  return { ...row, token };
}

/** Newest first, revoked ones included (people need to see what was revoked and when). */
export async function listApiTokens(ctx: Ctx) {
  return ctx.prisma.apiToken.findMany({ where: { workspaceId: ctx.workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: PUBLIC_FIELDS });
}

/** Revoking twice keeps the first revocation time. */
export async function revokeApiToken(ctx: Ctx & Pick<TRequestContext, "actor" | "userId">, id: string) {
  const { count } = await ctx.prisma.apiToken.updateMany({ where: { id, workspaceId: ctx.workspaceId, revokedAt: null }, data: { revokedAt: new Date() } });
  const row = await ctx.prisma.apiToken.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: PUBLIC_FIELDS });
  if (!row) throw new NotFoundError("API token", id);
  if (count > 0) await recordAudit(ctx, { action: "token.revoked", target: id, details: { name: row.name } });
  return row;
}
