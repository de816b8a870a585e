import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "@/generated/prisma/client";
import { NotFoundError } from "../errors";

/** Every API token starts with this, so leaked tokens are easy to recognise (secret scanners, logs). */
export const TOKEN_PREFIX = "slc_";
/** How much of a token is kept in clear to tell tokens apart: the prefix and 8 secret characters. */
const DISPLAY_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;

interface Ctx {
  prisma: PrismaClient;
  workspaceId: string;
}

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

const PUBLIC_FIELDS = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

/** Creates a token; the plaintext is in the result and nowhere else, ever. */
export async function createApiToken(ctx: Ctx, input: { name: string }) {
  const token = generateToken();
  const row = await ctx.prisma.apiToken.create({
    data: { workspaceId: ctx.workspaceId, name: input.name, prefix: displayPrefix(token), tokenHash: hashToken(token) },
    select: PUBLIC_FIELDS,
  });
  return { ...row, token };
}

/** Newest first, revoked ones included (people need to see what was revoked and when). */
export async function listApiTokens(ctx: Ctx) {
  return ctx.prisma.apiToken.findMany({ where: { workspaceId: ctx.workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: PUBLIC_FIELDS });
}

/** Revoking twice keeps the first revocation time. */
export async function revokeApiToken(ctx: Ctx, id: string) {
  await ctx.prisma.apiToken.updateMany({ where: { id, workspaceId: ctx.workspaceId, revokedAt: null }, data: { revokedAt: new Date() } });
  const row = await ctx.prisma.apiToken.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: PUBLIC_FIELDS });
  if (!row) throw new NotFoundError("API token", id);
  return row;
}
