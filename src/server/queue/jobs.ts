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
