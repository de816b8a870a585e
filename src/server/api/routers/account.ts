import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ZNewAccount } from "../../auth/accounts";
import { acceptInvitation, acceptInvitationAsNewUser, createWorkspace, listUserWorkspaces, previewInvitation, switchWorkspace, ZWorkspaceName } from "../../auth/workspaces";
import { createTRPCRouter, publicProcedure, signedInProcedure } from "../trpc";

const ZSecret = z.object({ secret: z.string().min(16).max(200) });

/** The signed-in user's own account: who they are, their workspaces, and switching between them. */
export const accountRouter = createTRPCRouter({
  me: signedInProcedure.query(async ({ ctx }) => ({
    userId: ctx.userId,
    actor: ctx.actor,
    workspaceId: ctx.workspaceId,
    role: ctx.role,
    workspaces: await listUserWorkspaces(ctx.prisma, ctx.userId),
  })),
  switchWorkspace: signedInProcedure.input(z.object({ workspaceId: z.uuid() })).mutation(({ ctx, input }) => {
    if (!ctx.sessionId) throw new TRPCError({ code: "BAD_REQUEST", message: "Only a signed-in session can switch workspaces" });
    const sessionId = ctx.sessionId;
    return switchWorkspace(ctx.prisma, { userId: ctx.userId, sessionId, workspaceId: input.workspaceId });
  }),
  createWorkspace: signedInProcedure.input(z.object({ name: ZWorkspaceName })).mutation(async ({ ctx, input }) => {
    const workspace = await createWorkspace(ctx.prisma, { userId: ctx.userId, actor: ctx.actor, name: input.name });
    if (ctx.sessionId) await switchWorkspace(ctx.prisma, { userId: ctx.userId, sessionId: ctx.sessionId, workspaceId: workspace.id });
    return workspace;
  }),
});

/**
 * Invitation links. Opening and using one for a new account is public: the secret in the
 * link is the check. A signed-in user joins with their own account.
 */
export const invitationsRouter = createTRPCRouter({
  preview: publicProcedure.input(ZSecret).query(({ ctx, input }) => previewInvitation(ctx.prisma, input.secret)),
  acceptAsNewUser: publicProcedure
    .input(ZSecret.extend({ account: ZNewAccount }))
    .mutation(({ ctx, input }) => acceptInvitationAsNewUser(ctx.prisma, { secret: input.secret, account: input.account })),
  accept: signedInProcedure
    .input(ZSecret)
    .mutation(({ ctx, input }) => acceptInvitation(ctx.prisma, { secret: input.secret, userId: ctx.userId, sessionId: ctx.sessionId ?? null })),
});
