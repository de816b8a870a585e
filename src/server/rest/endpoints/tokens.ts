import { z } from "zod";
import { ZRole } from "../../auth/roles";
import { createApiToken, listApiTokens, revokeApiToken, ZCreateTokenInput } from "../../auth/tokens";
import { defineEndpoint, reply, ZUuidParams } from "../endpoint";
import { ApiError } from "../errors";

const tags = ["API tokens"];

const ZToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("The token's first characters, to tell tokens apart"),
  role: ZRole,
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  user: z.object({ name: z.string(), email: z.string() }).nullable().describe("Whom the token acts for"),
});

export const listTokensEndpoint = defineEndpoint({
  method: "GET",
  path: "/tokens",
  summary: "List the workspace's API tokens, revoked ones included (without their secrets)",
  tags,
  role: "owner",
  responses: { 200: { description: "The tokens, newest first", schema: z.array(ZToken) } },
  handler: async ({ ctx }) => reply(200, await listApiTokens(ctx)),
});

export const createTokenEndpoint = defineEndpoint({
  method: "POST",
  path: "/tokens",
  summary: "Create an API token acting for the calling token's user",
  description:
    "`role` defaults to the caller's and may not exceed it (400). `token` is in this answer only; the server keeps its hash. " +
    "SLUICE_API_TOKEN acts for no user, so it cannot create tokens (403).",
  tags,
  role: "owner",
  body: { kind: "json", schema: ZCreateTokenInput },
  responses: { 201: { description: "Created", schema: ZToken.extend({ token: z.string().describe("The secret, shown once") }) } },
  handler: async ({ ctx, body }) => {
    if (!ctx.userId) throw new ApiError(403, "forbidden", "SLUICE_API_TOKEN acts for no user, and every token acts for one: create tokens with a member's own token or under Settings");
    return reply(201, await createApiToken({ ...ctx, userId: ctx.userId }, body));
  },
});

export const revokeTokenEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/tokens/:id",
  summary: "Revoke an API token; it stops working at once",
  description: "It stays listed with its revocation time. Revoking twice keeps the first time.",
  tags,
  role: "owner",
  resource: "API token",
  params: ZUuidParams,
  responses: { 204: { description: "Revoked" } },
  handler: async ({ ctx, params }) => {
    await revokeApiToken(ctx, params.id);
    return reply(204, undefined);
  },
});
