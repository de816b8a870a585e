import { z } from "zod";
import { ZRole } from "../../auth/roles";
import { listInvitations, listMembers, removeMember, revokeInvitation, setMemberRole, ZUserId } from "../../auth/workspaces";
import { invite, ZInviteInput } from "../../services/invitations";
import { defineEndpoint, reply, ZUuidParams } from "../endpoint";

const tags = ["Members"];

const ZMember = z.object({
  id: z.string().describe("The user's id"),
  name: z.string(),
  email: z.string(),
  role: ZRole,
  joinedAt: z.date(),
});

const ZInvitation = z.object({
  id: z.uuid(),
  role: ZRole,
  createdAt: z.date(),
  expiresAt: z.date(),
  acceptedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdBy: z.string().describe("Who invited, as the audit log names them"),
});

export const listMembersEndpoint = defineEndpoint({
  method: "GET",
  path: "/members",
  summary: "List the workspace's members with their roles",
  tags,
  role: "owner",
  responses: { 200: { description: "The members, the first joined first", schema: z.array(ZMember) } },
  handler: async ({ ctx }) => reply(200, await listMembers(ctx)),
});

export const setMemberRoleEndpoint = defineEndpoint({
  method: "PATCH",
  path: "/members/:id",
  summary: "Change a member's role",
  description: "Refused (409) for the last owner: a workspace always keeps one. The member's tokens act with the lower of their own role and the new one.",
  tags,
  role: "owner",
  resource: "Member",
  params: z.object({ id: ZUserId.describe("The user's id") }),
  body: { kind: "json", schema: z.object({ role: ZRole }) },
  responses: { 200: { description: "The new role", schema: z.object({ userId: z.string(), role: ZRole }) } },
  handler: async ({ ctx, params, body }) => reply(200, await setMemberRole(ctx, { userId: params.id, role: body.role })),
});

export const removeMemberEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/members/:id",
  summary: "Remove a member from the workspace",
  description: "Their sessions end and their tokens stop working at once. Refused (409) for the last owner.",
  tags,
  role: "owner",
  resource: "Member",
  params: z.object({ id: ZUserId.describe("The user's id") }),
  responses: { 204: { description: "Removed" } },
  handler: async ({ ctx, params }) => {
    await removeMember(ctx, params.id);
    return reply(204, undefined);
  },
});

export const listInvitationsEndpoint = defineEndpoint({
  method: "GET",
  path: "/invitations",
  summary: "List open invitations (not used, revoked or expired)",
  description: "The links themselves are not listed: only their hashes are kept.",
  tags,
  role: "owner",
  responses: { 200: { description: "The open invitations, newest first", schema: z.array(ZInvitation) } },
  handler: async ({ ctx }) => reply(200, await listInvitations(ctx)),
});

export const createInvitationEndpoint = defineEndpoint({
  method: "POST",
  path: "/invitations",
  summary: "Invite someone: a one-time link that makes whoever opens it a member with `role`",
  description:
    "`days` (1–30, default 7) until the link expires. With `email` and `connectionId` (one of the workspace's SMTP connections) the link is also mailed; " +
    "a mail that fails still answers 201 with the link and `emailError` saying why. `url` is in this answer only.",
  tags,
  role: "owner",
  body: { kind: "json", schema: ZInviteInput },
  responses: {
    201: {
      description: "Created",
      schema: ZInvitation.extend({
        url: z.string().describe("The invitation link, shown once"),
        emailedTo: z.string().nullable().describe("The address the link was mailed to, when it was"),
        emailError: z.string().nullable().describe("Why the mail was not sent, when it was asked for and failed"),
      }),
    },
  },
  handler: async ({ ctx, body }) => reply(201, await invite(ctx, body)),
});

export const revokeInvitationEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/invitations/:id",
  summary: "Revoke an open invitation; its link stops working",
  tags,
  role: "owner",
  resource: "Invitation",
  params: ZUuidParams,
  responses: { 204: { description: "Revoked" } },
  handler: async ({ ctx, params }) => {
    await revokeInvitation(ctx, params.id);
    return reply(204, undefined);
  },
});
