import { z } from "zod";
import { ZRole } from "../../auth/roles";
import { listUserWorkspaces } from "../../auth/workspaces";
import { setRetention, workspaceSettings, ZRetentionDays } from "../../services/settings";
import { defineEndpoint, reply } from "../endpoint";

export const whoAmIEndpoint = defineEndpoint({
  method: "GET",
  path: "/me",
  summary: "Who the token acts for: its user, workspace and role, and the user's workspaces",
  description: "`role` is the lower of the token's role and its user's. SLUICE_API_TOKEN acts for no user: `userId` null, `workspaces` empty.",
  tags: ["Account"],
  role: "viewer",
  responses: {
    200: {
      description: "The caller",
      schema: z.object({
        userId: z.string().nullable(),
        actor: z.string().describe("How the audit log names this caller"),
        workspaceId: z.uuid(),
        role: ZRole,
        workspaces: z.array(z.object({ id: z.uuid(), name: z.string(), role: ZRole })),
      }),
    },
  },
  handler: async ({ ctx }) =>
    reply(200, {
      userId: ctx.userId ?? null,
      actor: ctx.actor,
      workspaceId: ctx.workspaceId,
      role: ctx.role,
      workspaces: ctx.userId ? await listUserWorkspaces(ctx.prisma, ctx.userId) : [],
    }),
});

export const getSettingsEndpoint = defineEndpoint({
  method: "GET",
  path: "/settings",
  summary: "The workspace's settings",
  tags: ["Settings"],
  role: "viewer",
  responses: { 200: { description: "The settings", schema: z.object({ name: z.string(), retentionDays: z.number().int() }) } },
  handler: async ({ ctx }) => reply(200, await workspaceSettings(ctx)),
});

export const setRetentionEndpoint = defineEndpoint({
  method: "PUT",
  path: "/settings/retention",
  summary: "How many days runs are kept",
  description: "Finished runs older than this, with their node outputs, quarantine and lineage, are removed by the nightly cleanup; destination tables are not touched.",
  tags: ["Settings"],
  role: "owner",
  body: { kind: "json", schema: z.object({ days: ZRetentionDays }) },
  responses: { 200: { description: "Saved", schema: z.object({ retentionDays: z.number().int() }) } },
  handler: async ({ ctx, body }) => reply(200, await setRetention(ctx, body.days)),
});
