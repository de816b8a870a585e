import "server-only";
import { z } from "zod";
import { createControlRoomShare, createShare, listControlRoomShares, listShares, revokeShare, ZControlRoomShareInput, ZShareInput } from "../../services/shares";
import { createTRPCRouter, editorProcedure } from "../trpc";

export const sharesRouter = createTRPCRouter({
  /** A new read-only link to the pipeline's dashboard; the link (with its secret) is in this answer only. */
  create: editorProcedure
    .input(z.object({ pipelineId: z.uuid() }).and(ZShareInput))
    .mutation(({ ctx, input }) => createShare(ctx, input.pipelineId, input)),
  /** The pipeline's links with who made them, when, and when each was last opened. */
  list: editorProcedure.input(z.object({ pipelineId: z.uuid() })).query(({ ctx, input }) => listShares(ctx, input.pipelineId)),
  /** A new read-only link to the control room (every pipeline's health); the link is in this answer only. */
  createForControlRoom: editorProcedure.input(ZControlRoomShareInput).mutation(({ ctx, input }) => createControlRoomShare(ctx, input)),
  listForControlRoom: editorProcedure.query(({ ctx }) => listControlRoomShares(ctx)),
  revoke: editorProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => revokeShare(ctx, input.id)),
});
