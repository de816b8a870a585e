/**
 * Pipeline schedules: saving one (checked, described, its next fire times shown), the
 * scheduler tick every worker runs, and what a fire does. One scheduler for all workers:
 * a tick takes due schedules with FOR UPDATE SKIP LOCKED and, in the same transaction,
 * enqueues each fire as a job with a key and moves the schedule on. A second worker's
 * tick skips the locked rows and, once they commit, no longer sees them as due; the
 * runs table refuses a second run for one fire time even if a fire job ran twice.
 */
import type pg from "pg";
import { z } from "zod";
import type { PrismaClient } from "@/generated/prisma/client";
import { transaction } from "../db/query";
import { cancelRun } from "../engine/lifecycle";
import { GraphInvalidError, NotFoundError } from "../errors";
import { enqueue } from "../queue/job";
import { scheduleFireJob } from "../queue/jobs";
import { compileSchedule, type TCompiledSchedule } from "../schedules/cron";
import { planFires, type TCatchUp } from "../schedules/plan";
import { startRunIf, type RunCtx } from "./runs";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId">;

export const ZScheduleOverlap = z.enum(["skip", "queue", "cancel-previous"]);
export const ZScheduleCatchUp = z.enum(["none", "latest", "all"]);

export const ZScheduleInput = z.object({
  cron: z.string().max(200).describe('Five cron fields: minute hour day-of-month month day-of-week, e.g. "5 * * * *"'),
  timezone: z.string().max(100).describe("IANA timezone the cron expression is read in, e.g. Europe/Oslo"),
  enabled: z.boolean().default(true).describe("false pauses the schedule"),
  overlap: ZScheduleOverlap.default("skip").describe("While an earlier run is still going: skip this fire, queue it behind, or cancel the earlier run"),
  catchUp: ZScheduleCatchUp.default("latest").describe("Fire times missed while no worker was up: run none, the latest, or all (at most 24)"),
});
export type TScheduleInput = z.input<typeof ZScheduleInput>;

const PREVIEW_COUNT = 5;

const toDb = { skip: "skip", queue: "queue", "cancel-previous": "cancel_previous" } as const;
const fromDb = { skip: "skip", queue: "queue", cancel_previous: "cancel-previous" } as const;

/** The expression in words and its next five fire times, or the reason it is refused. */
export function previewSchedule(input: { cron: string; timezone: string }, now = new Date()) {
  const compiled = compileSchedule(input.cron, input.timezone);
  return { cron: compiled.cron, timezone: compiled.timezone, description: compiled.description, next: compiled.next(PREVIEW_COUNT, now) };
}

type TScheduleRow = NonNullable<Awaited<ReturnType<PrismaClient["pipelineSchedule"]["findUnique"]>>>;

function present(row: TScheduleRow, compiled: TCompiledSchedule, now: Date) {
  return {
    pipelineId: row.pipelineId,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    overlap: fromDb[row.overlap],
    catchUp: row.catchUp,
    description: compiled.description,
    next: row.enabled ? compiled.next(PREVIEW_COUNT, now) : [],
    nextFireAt: row.nextFireAt,
    lastFireAt: row.lastFireAt,
    lastOutcome: row.lastOutcome,
    updatedAt: row.updatedAt,
  };
}
export type TSchedule = ReturnType<typeof present>;

async function requirePipeline(ctx: Ctx, pipelineId: string): Promise<void> {
  const found = await ctx.prisma.pipeline.findFirst({ where: { id: pipelineId, workspaceId: ctx.workspaceId }, select: { id: true } });
  if (!found) throw new NotFoundError("Pipeline", pipelineId);
}

/** Creates or replaces a pipeline's schedule. Resuming a paused one starts from now: paused time is not caught up. */
export async function setSchedule(ctx: Ctx, pipelineId: string, raw: TScheduleInput, now = new Date()): Promise<TSchedule> {
  const input = ZScheduleInput.parse(raw);
  await requirePipeline(ctx, pipelineId);
  const compiled = compileSchedule(input.cron, input.timezone);
  const data = {
    cron: compiled.cron,
    timezone: compiled.timezone,
    enabled: input.enabled,
    overlap: toDb[input.overlap],
    catchUp: input.catchUp,
    nextFireAt: input.enabled ? compiled.nextAfter(now) : null,
  };
  const row = await ctx.prisma.pipelineSchedule.upsert({
    where: { pipelineId },
    create: { pipelineId, workspaceId: ctx.workspaceId, ...data },
    update: data,
  });
  return present(row, compiled, now);
}

export async function getSchedule(ctx: Ctx, pipelineId: string, now = new Date()): Promise<TSchedule | null> {
  await requirePipeline(ctx, pipelineId);
  const row = await ctx.prisma.pipelineSchedule.findUnique({ where: { pipelineId } });
  return row ? present(row, compileSchedule(row.cron, row.timezone), now) : null;
}

export async function deleteSchedule(ctx: Ctx, pipelineId: string): Promise<void> {
  await requirePipeline(ctx, pipelineId);
  await ctx.prisma.pipelineSchedule.deleteMany({ where: { pipelineId, workspaceId: ctx.workspaceId } });
}

function describeSkipped(count: number, atLeast: boolean, catchUp: TCatchUp): string {
  if (count === 0) return "";
  return `; ${atLeast ? "more than " : ""}${count} missed fire time${count === 1 ? "" : "s"} skipped (catch-up: ${catchUp})`;
}

/**
 * One scheduler tick at `now`: every due, enabled schedule no other tick holds is planned
 * (catch-up policy), its fires enqueued and its next fire time stored, in one transaction.
 * Returns the fire times enqueued.
 */
export async function tickSchedules(pool: pg.Pool, now: Date, batch = 100): Promise<{ pipelineId: string; scheduledFor: Date }[]> {
  return transaction(pool, async (client) => {
    const due = await client.query<{ pipeline_id: string; cron: string; timezone: string; catch_up: TCatchUp; next_fire_at: Date }>(
      `SELECT pipeline_id, cron, timezone, catch_up, next_fire_at FROM pipeline_schedules
        WHERE enabled AND next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, batch],
    );
    const fired: { pipelineId: string; scheduledFor: Date }[] = [];
    for (const row of due.rows) {
      let outcome: string;
      let nextFireAt: Date | null;
      let lastFireAt: Date | null = null;
      try {
        const plan = planFires(compileSchedule(row.cron, row.timezone), row.next_fire_at, now, row.catch_up);
        for (const scheduledFor of plan.run) {
          const iso = scheduledFor.toISOString();
          await enqueue(client, scheduleFireJob, { pipelineId: row.pipeline_id, scheduledFor: iso }, { jobKey: `schedule:${row.pipeline_id}:${iso}`, jobKeyMode: "preserve_run_at", maxAttempts: 5 });
          fired.push({ pipelineId: row.pipeline_id, scheduledFor });
        }
        nextFireAt = plan.nextFireAt;
        lastFireAt = plan.run.at(-1) ?? null;
        outcome = `${plan.run.length === 0 ? "nothing to run" : `${plan.run.length} fire time${plan.run.length === 1 ? "" : "s"} due`}${describeSkipped(plan.skipped, plan.skippedAtLeast, row.catch_up)}`;
      } catch (error) {
        // A schedule saved by an older version that no longer compiles: pause it with the reason rather than retry it every tick.
        nextFireAt = null;
        outcome = `paused: ${error instanceof Error ? error.message : String(error)}`;
      }
      await client.query(
        `UPDATE pipeline_schedules SET next_fire_at = $2, last_fire_at = COALESCE($3, last_fire_at), last_outcome = $4,
                enabled = enabled AND $2::timestamptz IS NOT NULL WHERE pipeline_id = $1`,
        [row.pipeline_id, nextFireAt, lastFireAt, outcome],
      );
    }
    return fired;
  });
}

function isDuplicateFire(error: unknown): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === "23505" && pgError.constraint === "runs_pipeline_id_scheduled_for_key";
}

function formatFireTime(at: Date, timezone: string): string {
  return `${at.toLocaleString("en-GB", { timeZone: timezone, dateStyle: "medium", timeStyle: "short" })} ${timezone}`;
}

export interface TFireOutcome {
  /** `duplicate`: a run for this fire time existed already (the fire job ran twice, e.g. after a crash). */
  status: "started" | "skipped" | "duplicate" | "not-started";
  message: string;
}

/**
 * A fire time of a schedule: starts the run, or applies the overlap policy when an
 * earlier run of the pipeline is still queued or running. What happened is stored on the
 * schedule (`lastOutcome`) for the editor to show.
 */
export async function fireSchedule(base: Omit<RunCtx, "workspaceId" | "actor">, input: { pipelineId: string; scheduledFor: Date }): Promise<TFireOutcome> {
  const schedule = await base.prisma.pipelineSchedule.findUnique({ where: { pipelineId: input.pipelineId } });
  if (!schedule) return { status: "not-started", message: "the schedule was removed" };
  const ctx: RunCtx = { ...base, workspaceId: schedule.workspaceId, actor: "schedule" };
  const when = formatFireTime(input.scheduledFor, schedule.timezone);
  const duplicate: TFireOutcome = { status: "duplicate", message: `the run due ${when} had already started` };
  let outcome: TFireOutcome;
  try {
    let isDuplicate = false;
    const started = await startRunIf(ctx, { pipelineId: input.pipelineId, trigger: "schedule", scheduledFor: input.scheduledFor }, async (client) => {
      const existing = await client.query("SELECT 1 FROM runs WHERE pipeline_id = $1 AND scheduled_for = $2", [input.pipelineId, input.scheduledFor]);
      isDuplicate = existing.rowCount !== 0;
      if (isDuplicate) return { start: false, reason: duplicate.message };
      const active = await client.query<{ id: string; status: string }>(
        "SELECT id, status FROM runs WHERE pipeline_id = $1 AND status IN ('queued', 'running') ORDER BY created_at DESC",
        [input.pipelineId],
      );
      const latest = active.rows[0];
      if (!latest) return { start: true };
      if (schedule.overlap === "skip") return { start: false, reason: `skipped the run due ${when}: run ${latest.id} was still ${latest.status}` };
      if (schedule.overlap === "queue") return { start: true, queuedBehindRunId: latest.id };
      for (const run of active.rows) await cancelRun(client, run.id, `canceled by the schedule: the run due ${when} replaces it`);
      return { start: true };
    });
    if (isDuplicate) return duplicate;
    outcome = "skipped" in started ? { status: "skipped", message: started.skipped } : { status: "started", message: `started run ${started.runId} due ${when}` };
  } catch (error) {
    if (isDuplicateFire(error)) return duplicate;
    if (!(error instanceof GraphInvalidError || error instanceof NotFoundError)) throw error;
    outcome = { status: "not-started", message: `could not start the run due ${when}: ${error.message}` };
  }
  await base.prisma.pipelineSchedule.updateMany({ where: { pipelineId: input.pipelineId }, data: { lastOutcome: outcome.message } });
  return outcome;
}
