import { z } from "zod";
import { ZRole } from "../../auth/roles";
import { createApiToken, ZCreateTokenInput } from "../../auth/tokens";
import { createWorkspace, listUserWorkspaces, ZWorkspaceName } from "../../auth/workspaces";
import { defineEndpoint, reply } from "../endpoint";
import { ApiError } from "../errors";

const tags = ["Account"];

const ZWorkspace = z.object({ id: z.uuid(), name: z.string(), role: ZRole.describe("The caller's role there") });

/*
 * A token acts in one workspace only (a leaked token reaches no other), so REST has no
 * "switch": a script lists its user's workspaces here and acts in another one with a token
 * of that workspace. A workspace it creates can hand back such a token at once.
 */

export const listWorkspacesEndpoint = defineEndpoint({
  method: "GET",
  path: "/workspaces",
  summary: "The workspaces the token's user belongs to, with their role in each",
  description:
    "`current` marks the token's own workspace, the only one this token acts in; to act in another, use a token of that workspace. " +
    "SLUICE_API_TOKEN acts for no user: only its own workspace is listed.",
  tags,
  role: "viewer",
  responses: { 200: { description: "The workspaces, the first joined first", schema: z.array(ZWorkspace.extend({ current: z.boolean() })) } },
  handler: async ({ ctx }) => {
    if (!ctx.userId) {
      const own = await ctx.prisma.workspace.findUniqueOrThrow({ where: { id: ctx.workspaceId }, select: { id: true, name: true } });
      return reply(200, [{ ...own, role: ctx.role, current: true }]);
    }
    const workspaces = await listUserWorkspaces(ctx.prisma, ctx.userId);
    return reply(200, workspaces.map((w) => ({ ...w, current: w.id === ctx.workspaceId })));
  },
});

export const createWorkspaceEndpoint = defineEndpoint({
  method: "POST",
  path: "/workspaces",
  summary: "Create a new, empty workspace owned by the token's user",
  description:
    "Any member may, as in the app's user menu; the calling token's workspace is not touched. " +
    "With `token` the answer also carries an owner token of the new workspace for the same user (shown once), so a script can go on working there. " +
    "SLUICE_API_TOKEN acts for no user, so it cannot own one (403).",
  tags,
  role: "viewer",
  body: {
    kind: "json",
    schema: z.object({
      name: ZWorkspaceName,
      token: ZCreateTokenInput.omit({ role: true }).optional().describe("An owner token of the new workspace to create with it"),
    }),
  },
  responses: {
    201: {
      description: "Created",
      schema: ZWorkspace.extend({
        token: z.object({ id: z.uuid(), name: z.string(), token: z.string().describe("The secret, shown once"), expiresAt: z.date().nullable() }).nullable(),
      }),
    },
  },
  handler: async ({ ctx, body }) => {
    if (!ctx.userId) throw new ApiError(403, "forbidden", "SLUICE_API_TOKEN acts for no user, and every workspace has an owner: create workspaces with a member's own token or in the app");
    const workspace = await createWorkspace(ctx.prisma, { userId: ctx.userId, actor: ctx.actor, name: body.name });
    const token = body.token
      ? await createApiToken({ prisma: ctx.prisma, workspaceId: workspace.id, userId: ctx.userId, role: "owner", actor: ctx.actor }, { ...body.token, role: "owner" })
      : null;
    return reply(201, { ...workspace, role: "owner" as const, token: token && { id: token.id, name: token.name, token: token.token, expiresAt: token.expiresAt } });
  },
});
