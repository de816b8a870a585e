import "server-only";
import { z } from "zod";
import { ZRole } from "../../auth/roles";
import { listInvitations, listMembers, removeMember, revokeInvitation, setMemberRole, ZUserId } from "../../auth/workspaces";
import { invite, ZInviteInput } from "../../services/invitations";
import { createTRPCRouter, ownerProcedure } from "../trpc";

/** Who belongs to the workspace and with which role; owners only. */
export const membersRouter = createTRPCRouter({
  list: ownerProcedure.query(({ ctx }) => listMembers(ctx)),
  setRole: ownerProcedure.input(z.object({ userId: ZUserId, role: ZRole })).mutation(({ ctx, input }) => setMemberRole(ctx, input)),
  remove: ownerProcedure.input(z.object({ userId: ZUserId })).mutation(({ ctx, input }) => removeMember(ctx, input.userId)),
  invitations: ownerProcedure.query(({ ctx }) => listInvitations(ctx)),
  invite: ownerProcedure.input(ZInviteInput).mutation(({ ctx, input }) => invite(ctx, input)),
  revokeInvitation: ownerProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => revokeInvitation(ctx, input.id)),
});
