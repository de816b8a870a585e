import "server-only";
import { z } from "zod";
import { ZRole } from "../../auth/roles";
import { createInvitation, listInvitations, listMembers, removeMember, revokeInvitation, setMemberRole } from "../../auth/workspaces";
import { createTRPCRouter, ownerProcedure } from "../trpc";
import { mapServiceErrors } from "./pipelines";

const ZUserId = z.string().min(1).max(100);

/** Who belongs to the workspace and with which role; owners only. */
export const membersRouter = createTRPCRouter({
  list: ownerProcedure.query(({ ctx }) => listMembers(ctx)),
  setRole: ownerProcedure.input(z.object({ userId: ZUserId, role: ZRole })).mutation(({ ctx, input }) => mapServiceErrors(() => setMemberRole(ctx, input))),
  remove: ownerProcedure.input(z.object({ userId: ZUserId })).mutation(({ ctx, input }) => mapServiceErrors(() => removeMember(ctx, input.userId))),
  invitations: ownerProcedure.query(({ ctx }) => listInvitations(ctx)),
  invite: ownerProcedure
    .input(z.object({ role: ZRole, days: z.number().int().min(1).max(30).optional() }))
    .mutation(({ ctx, input }) => createInvitation(ctx, input)),
  revokeInvitation: ownerProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => mapServiceErrors(() => revokeInvitation(ctx, input.id))),
});
