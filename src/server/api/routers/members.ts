import "server-only";
import { z } from "zod";
import { ZRole } from "../../auth/roles";
import { listInvitations, listMembers, removeMember, revokeInvitation, setMemberRole, ZUserId } from "../../auth/workspaces";
import { invite, ZInviteInput } from "../../services/invitations";
import { createTRPCRouter, ownerProcedure } from "../trpc";
import { mapServiceErrors } from "./pipelines";

/** Who belongs to the workspace and with which role; owners only. */
export const membersRouter = createTRPCRouter({
  list: ownerProcedure.query(({ ctx }) => listMembers(ctx)),
  setRole: ownerProcedure.input(z.object({ userId: ZUserId, role: ZRole })).mutation(({ ctx, input }) => mapServiceErrors(() => setMemberRole(ctx, input))),
  remove: ownerProcedure.input(z.object({ userId: ZUserId })).mutation(({ ctx, input }) => mapServiceErrors(() => removeMember(ctx, input.userId))),
  invitations: ownerProcedure.query(({ ctx }) => listInvitations(ctx)),
  invite: ownerProcedure.input(ZInviteInput).mutation(({ ctx, input }) => mapServiceErrors(() => invite(ctx, input))),
  revokeInvitation: ownerProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => mapServiceErrors(() => revokeInvitation(ctx, input.id))),
});
