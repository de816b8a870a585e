import "server-only";
import { z } from "zod";
import { RunStatus } from "@/generated/prisma/enums";
import { cancelRun, getRun, listRuns, retryFailedRunNodes, startRun, ZRunParams } from "../../services/runs";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

export const ZRunListInput = z
  .object({
    pipelineId: z.uuid().optional(),
    status: z.enum(RunStatus).optional(),
    /** Runs created at or after this instant. */
    from: z.date().optional(),
    /** Runs created before this instant. */
    to: z.date().optional(),
    /** The id of the last run of the previous page (`nextCursor`). */
    cursor: z.uuid().optional(),
    limit: z.number().int().min(1).max(100).default(25),
  })
  .refine((input) => !input.from || !input.to || input.from < input.to, {
    message: "the start of the date range must be before its end",
    path: ["to"],
  });
export type TRunListInput = z.input<typeof ZRunListInput>;

const ZRunId = z.object({ id: z.uuid() });

export const runsRouter = createTRPCRouter({
  /** Newest first, filtered, keyset-paginated; rows loaded/rejected are summed over node runs. */
  list: viewerProcedure.input(ZRunListInput).query(({ ctx, input }) => listRuns(ctx, input)),
  /** One run with its pinned graph and every node run (counts, checksum, error, logs). */
  get: viewerProcedure.input(ZRunId).query(({ ctx, input }) => getRun(ctx, input.id)),
  /** Runs a pipeline's latest (or a given) version now. */
  start: editorProcedure
    .input(z.object({ pipelineId: z.uuid(), version: z.number().int().positive().optional(), params: ZRunParams.optional() }))
    .mutation(({ ctx, input }) => startRun(ctx, { ...input, trigger: "manual" })),
  /** Stops a queued or running run; its nodes end canceled and keep nothing they had not committed. */
  cancel: editorProcedure.input(ZRunId).mutation(({ ctx, input }) => cancelRun(ctx, input.id)),
  /** Runs the failed nodes of a failed run again. */
  retryFailed: editorProcedure.input(ZRunId).mutation(({ ctx, input }) => retryFailedRunNodes(ctx, input.id)),
});
