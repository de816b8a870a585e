/** Every background job Sluice enqueues, with its payload: the one definition producers and tasks share. */
import { z } from "zod";
import { defineJob } from "./job";

/** One node of one run (engine/lifecycle.ts enqueues it; jobs/run-node.ts runs it). */
export const runNodeJob = defineJob("run-node", z.object({ runId: z.uuid(), nodeId: z.string().min(1) }));
export type TRunNodePayload = z.infer<typeof runNodeJob.payload>;

/**
 * Forgets expired runs (jobs/retention.ts). Enqueued by cron, whose payload carries a
 * `_cron` key, and by itself while a backlog remains.
 */
export const retentionJob = defineJob("retention-cleanup", z.object({}).loose());

/** A schedule's fire time, enqueued by the scheduler tick in the transaction that moves the schedule on. */
export const scheduleFireJob = defineJob("schedule-fire", z.object({ pipelineId: z.uuid(), scheduledFor: z.iso.datetime() }));

/** What runs next after a run finished: runs queued behind it, and pipelines that depend on it. */
export const runFinishedJob = defineJob("run-finished", z.object({ runId: z.uuid() }));

export const ZOpenLineageEventType = z.enum(["START", "COMPLETE", "FAIL", "ABORT"]);

/** One OpenLineage RunEvent of a run, to OPENLINEAGE_URL. */
export const openLineageJob = defineJob(
  "openlineage-emit",
  z.object({ runId: z.uuid(), eventType: ZOpenLineageEventType, eventTime: z.iso.datetime() }),
);

/** Checks the alert rules that apply to a finished run's pipeline (engine/run-hooks.ts enqueues it). */
export const evaluateRunAlertsJob = defineJob("alerts-evaluate-run", z.object({ runId: z.uuid() }));

/** Checks every freshness rule (cron, so one evaluation per tick for all workers): a pipeline that stopped succeeding is noticed. */
export const freshnessAlertsJob = defineJob("alerts-freshness", z.object({}).loose());

/** Sends one alert message to one channel; retried with backoff, never in a run's way. */
export const deliverAlertJob = defineJob("alert-deliver", z.object({ deliveryId: z.uuid() }));
