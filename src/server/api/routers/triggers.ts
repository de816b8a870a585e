import "server-only";
import { z } from "zod";
import { getDependencies, setDependencies, ZDependenciesInput } from "../../services/dependencies";
import { deleteWebhook, getWebhook, setupWebhook } from "../../services/webhooks";
import { deleteSchedule, getSchedule, previewSchedule, setSchedule, ZScheduleInput } from "../../services/schedules";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

const ZPipelineId = z.object({ pipelineId: z.uuid() });

/** What starts a pipeline besides a person: its schedule, its signed webhook and the pipelines it runs after. */
export const triggersRouter = createTRPCRouter({
  schedule: viewerProcedure.input(ZPipelineId).query(({ ctx, input }) => getSchedule(ctx, input.pipelineId)),
  /** The expression in words and its next fire times, or the reason it is refused (as `error`, so typing shows it). */
  previewSchedule: viewerProcedure.input(z.object({ cron: z.string().max(200), timezone: z.string().max(100) })).query(({ input }) => {
    try {
      return { ok: true as const, ...previewSchedule(input) };
    } catch (error) {
      return { ok: false as const, error: error instanceof Error ? error.message : String(error), field: (error as { field?: string }).field ?? "cron" };
    }
  }),
  setSchedule: editorProcedure
    .input(ZPipelineId.extend({ schedule: ZScheduleInput }))
    .mutation(({ ctx, input }) => setSchedule(ctx, input.pipelineId, input.schedule)),
  removeSchedule: editorProcedure.input(ZPipelineId).mutation(({ ctx, input }) => deleteSchedule(ctx, input.pipelineId)),
  /** Every IANA timezone the server knows, for the picker. */
  timezones: viewerProcedure.query(() => ["UTC", ...Intl.supportedValuesOf("timeZone")]),
  dependencies: viewerProcedure.input(ZPipelineId).query(({ ctx, input }) => getDependencies(ctx, input.pipelineId)),
  setDependencies: editorProcedure
    .input(ZPipelineId.extend({ dependencies: ZDependenciesInput }))
    .mutation(({ ctx, input }) => setDependencies(ctx, input.pipelineId, input.dependencies)),
  webhook: viewerProcedure.input(ZPipelineId).query(({ ctx, input }) => getWebhook(ctx, input.pipelineId)),
  /** Creates the webhook or rotates its secret; the answer is the only place the secret is ever shown. */
  setupWebhook: editorProcedure.input(ZPipelineId).mutation(({ ctx, input }) => setupWebhook(ctx, input.pipelineId)),
  removeWebhook: editorProcedure.input(ZPipelineId).mutation(({ ctx, input }) => deleteWebhook(ctx, input.pipelineId)),
});
