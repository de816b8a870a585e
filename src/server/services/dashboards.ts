/**
 * Run dashboards: a pipeline's figures over a time range, and the control room (every pipeline's
 * health at a glance). Both read the per-run figures written as runs finish (engine/run-stats.ts),
 * never the node runs themselves.
 */
import { z } from "zod";
import { NotFoundError } from "../errors";
import { compileSchedule } from "../schedules/cron";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "pool" | "workspaceId">;

/** The most runs a dashboard charts; older runs of the range are counted but not drawn. */
export const MAX_CHARTED_RUNS = 500;
const DAY_MS = 86_400_000;

export const ZDashboardRange = z
  .object({
    /** Runs finished at or after this instant; default 30 days before `to`. */
    from: z.coerce.date().optional().describe("Runs finished at or after this instant (default: 30 days before `to`)"),
    /** Runs finished before this instant; default now. */
    to: z.coerce.date().optional().describe("Runs finished before this instant (default: now)"),
  })
  .refine((range) => !range.from || !range.to || range.from < range.to, { message: "the start of the range must be before its end", path: ["to"] });
export type TDashboardRange = z.infer<typeof ZDashboardRange>;

const ZStatus = z.enum(["queued", "running", "succeeded", "failed", "skipped", "canceled"]);

export const ZRunFigures = z.object({
  runId: z.uuid(),
  status: ZStatus,
  trigger: z.string(),
  startedAt: z.date().nullable(),
  finishedAt: z.date(),
  durationMs: z.number().nullable(),
  rowsRead: z.number(),
  rowsLoaded: z.number(),
  rowsQuarantined: z.number(),
  rowsDiscarded: z.number().describe("Read but neither loaded nor quarantined: filtered out, deduplicated, aggregated away"),
  rejectRatePercent: z.number().nullable().describe("Quarantined rows as a percentage of rows read; null when nothing was read"),
  nodes: z.array(z.object({ nodeId: z.string(), nodeType: z.string(), status: z.string(), durationMs: z.number().nullable() })),
});
export type TRunFigures = z.infer<typeof ZRunFigures>;

export const ZFreshness = z.object({
  lastSuccessAt: z.date().nullable(),
  schedule: z.object({ description: z.string(), enabled: z.boolean(), nextFireAt: z.date().nullable(), periodMs: z.number().nullable() }).nullable(),
  /** When a freshness alert rule watches the pipeline: its limit in hours. */
  freshnessLimitHours: z.number().nullable(),
  late: z.boolean().describe("No successful run within the freshness rule's limit or, without one, within two schedule periods"),
});
export type TFreshness = z.infer<typeof ZFreshness>;

export const ZPipelineDashboard = z.object({
  pipeline: z.object({ id: z.uuid(), name: z.string() }),
  range: z.object({ from: z.date(), to: z.date() }),
  runsInRange: z.number().int(),
  /** Oldest first, at most MAX_CHARTED_RUNS (the newest of the range). */
  runs: z.array(ZRunFigures),
  rejectRateThresholdPercent: z.number().nullable().describe("The lowest reject-rate alert threshold watching the pipeline, if any"),
  freshness: ZFreshness,
  quarantineByRule: z.array(z.object({ day: z.string(), nodeId: z.string(), field: z.string(), rule: z.string(), violations: z.number() })),
  backlog: z.object({ open: z.number(), fixed: z.number(), reingested: z.number(), discarded: z.number() }),
  latestRuns: z.array(
    z.object({ id: z.uuid(), status: ZStatus, trigger: z.string(), createdAt: z.date(), finishedAt: z.date().nullable(), rowsLoaded: z.number().nullable(), rowsQuarantined: z.number().nullable() }),
  ),
});
export type TPipelineDashboard = z.infer<typeof ZPipelineDashboard>;

function rangeOf(range: TDashboardRange, now: Date): { from: Date; to: Date } {
  const to = range.to ?? now;
  return { from: range.from ?? new Date(to.getTime() - 30 * DAY_MS), to };
}

interface TRunStatsRow {
  run_id: string;
  status: z.infer<typeof ZStatus>;
  trigger: string;
  started_at: Date | null;
  finished_at: Date;
  duration_ms: number | null;
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
  rows_discarded: number;
  nodes: { nodeId: string; nodeType: string; status: string; durationMs: number | null }[];
}

function figuresOf(row: TRunStatsRow): TRunFigures {
  return {
    runId: row.run_id,
    status: row.status,
    trigger: row.trigger,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    rowsRead: row.rows_read,
    rowsLoaded: row.rows_loaded,
    rowsQuarantined: row.rows_quarantined,
    rowsDiscarded: row.rows_discarded,
    rejectRatePercent: row.rows_read > 0 ? Math.round((row.rows_quarantined / row.rows_read) * 10_000) / 100 : null,
    nodes: row.nodes,
  };
}

/** Alert rules of `kind` watching the pipeline (its own, and workspace-wide ones): the strictest threshold. */
async function strictestThreshold(ctx: Ctx, pipelineIds: string[], kind: "reject_rate" | "freshness"): Promise<Map<string, number>> {
  const rows = await ctx.pool.query<{ pipeline_id: string; threshold: number }>(
    `SELECT p.id AS pipeline_id, min(a.threshold) AS threshold
       FROM pipelines p JOIN alert_rules a ON a.workspace_id = p.workspace_id AND (a.pipeline_id IS NULL OR a.pipeline_id = p.id)
      WHERE p.workspace_id = $1 AND p.id = ANY($2::uuid[]) AND a.kind = $3::"AlertRuleKind" AND a.enabled AND a.threshold IS NOT NULL
      GROUP BY p.id`,
    [ctx.workspaceId, pipelineIds, kind],
  );
  return new Map(rows.rows.map((r) => [r.pipeline_id, r.threshold]));
}

interface TScheduleRow {
  cron: string;
  timezone: string;
  enabled: boolean;
  next_fire_at: Date | null;
}

/** The schedule's period: the gap between its next two fire times (a cron's gaps vary; this is the one ahead). */
function scheduleOf(row: TScheduleRow | undefined, now: Date): TFreshness["schedule"] {
  if (!row) return null;
  try {
    const compiled = compileSchedule(row.cron, row.timezone);
    const [a, b] = compiled.next(2, now);
    return { description: compiled.description, enabled: row.enabled, nextFireAt: row.next_fire_at, periodMs: a && b ? b.getTime() - a.getTime() : null };
  } catch {
    return { description: `${row.cron} (${row.timezone})`, enabled: row.enabled, nextFireAt: row.next_fire_at, periodMs: null };
  }
}

export function freshnessOf(input: { lastSuccessAt: Date | null; watchedSince: Date; schedule: TFreshness["schedule"]; freshnessLimitHours: number | null }, now: Date): TFreshness {
  const since = input.lastSuccessAt ?? input.watchedSince;
  const age = now.getTime() - since.getTime();
  let late = false;
  if (input.freshnessLimitHours !== null) late = age > input.freshnessLimitHours * 3_600_000;
  else if (input.schedule?.enabled && input.schedule.periodMs !== null) late = age > 2 * input.schedule.periodMs;
  return { lastSuccessAt: input.lastSuccessAt, schedule: input.schedule, freshnessLimitHours: input.freshnessLimitHours, late };
}

async function requirePipeline(ctx: Ctx, pipelineId: string) {
  const pipeline = await ctx.prisma.pipeline.findFirst({ where: { id: pipelineId, workspaceId: ctx.workspaceId }, select: { id: true, name: true, createdAt: true } });
  if (!pipeline) throw new NotFoundError("Pipeline", pipelineId);
  return pipeline;
}

const RUN_STATS_COLUMNS = `run_id, status, trigger, started_at, finished_at, duration_ms, rows_read::float8 AS rows_read, rows_loaded::float8 AS rows_loaded,
  rows_quarantined::float8 AS rows_quarantined, rows_discarded::float8 AS rows_discarded, nodes`;

/** A pipeline's dashboard over a range (default the last 30 days). */
export async function pipelineDashboard(ctx: Ctx, pipelineId: string, input: TDashboardRange, now: Date = new Date()): Promise<TPipelineDashboard> {
  const pipeline = await requirePipeline(ctx, pipelineId);
  const range = rangeOf(input, now);
  const [runs, count, byRule, backlog, latest, lastSuccess, schedule, rejectRate, freshnessLimit] = await Promise.all([
    ctx.pool.query<TRunStatsRow>(
      `SELECT ${RUN_STATS_COLUMNS} FROM run_stats
        WHERE pipeline_id = $1 AND workspace_id = $2 AND finished_at >= $3 AND finished_at < $4
        ORDER BY finished_at DESC, run_id DESC LIMIT $5`,
      [pipeline.id, ctx.workspaceId, range.from, range.to, MAX_CHARTED_RUNS],
    ),
    ctx.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM run_stats WHERE pipeline_id = $1 AND workspace_id = $2 AND finished_at >= $3 AND finished_at < $4",
      [pipeline.id, ctx.workspaceId, range.from, range.to],
    ),
    ctx.pool.query<{ day: string; node_id: string; field: string; rule: string; violations: number }>(
      `SELECT to_char(date_trunc('day', finished_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, node_id, field, rule, sum(violations)::float8 AS violations
         FROM run_quarantine_stats WHERE pipeline_id = $1 AND finished_at >= $2 AND finished_at < $3
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 5 DESC`,
      [pipeline.id, range.from, range.to],
    ),
    ctx.pool.query<{ status: "open" | "fixed" | "reingested" | "discarded"; n: number }>(
      `SELECT q.status, count(*)::float8 AS n FROM quarantined_records q JOIN runs r ON r.id = q.run_id
        WHERE r.pipeline_id = $1 AND q.workspace_id = $2 GROUP BY q.status`,
      [pipeline.id, ctx.workspaceId],
    ),
    ctx.pool.query<{ id: string; status: z.infer<typeof ZStatus>; trigger: string; created_at: Date; finished_at: Date | null; rows_loaded: number | null; rows_quarantined: number | null }>(
      `SELECT r.id, r.status, r.trigger, r.created_at, r.finished_at, s.rows_loaded::float8 AS rows_loaded, s.rows_quarantined::float8 AS rows_quarantined
         FROM runs r LEFT JOIN run_stats s ON s.run_id = r.id
        WHERE r.pipeline_id = $1 AND r.workspace_id = $2 ORDER BY r.created_at DESC, r.id DESC LIMIT 10`,
      [pipeline.id, ctx.workspaceId],
    ),
    ctx.pool.query<{ finished_at: Date }>(
      "SELECT finished_at FROM run_stats WHERE pipeline_id = $1 AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1",
      [pipeline.id],
    ),
    ctx.pool.query<TScheduleRow>("SELECT cron, timezone, enabled, next_fire_at FROM pipeline_schedules WHERE pipeline_id = $1", [pipeline.id]),
    strictestThreshold(ctx, [pipeline.id], "reject_rate"),
    strictestThreshold(ctx, [pipeline.id], "freshness"),
  ]);
  const counts = Object.fromEntries(backlog.rows.map((r) => [r.status, r.n]));
  return {
    pipeline: { id: pipeline.id, name: pipeline.name },
    range,
    runsInRange: count.rows[0]!.n,
    runs: runs.rows.reverse().map(figuresOf),
    rejectRateThresholdPercent: rejectRate.get(pipeline.id) ?? null,
    freshness: freshnessOf(
      { lastSuccessAt: lastSuccess.rows[0]?.finished_at ?? null, watchedSince: pipeline.createdAt, schedule: scheduleOf(schedule.rows[0], now), freshnessLimitHours: freshnessLimit.get(pipeline.id) ?? null },
      now,
    ),
    quarantineByRule: byRule.rows.map((r) => ({ day: r.day, nodeId: r.node_id, field: r.field, rule: r.rule, violations: r.violations })),
    backlog: { open: counts.open ?? 0, fixed: counts.fixed ?? 0, reingested: counts.reingested ?? 0, discarded: counts.discarded ?? 0 },
    latestRuns: latest.rows.map((r) => ({
      id: r.id,
      status: r.status,
      trigger: r.trigger,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      rowsLoaded: r.rows_loaded,
      rowsQuarantined: r.rows_quarantined,
    })),
  };
}

export const HEALTH = ["failing", "late", "drifting", "healthy"] as const;
export type THealth = (typeof HEALTH)[number];

export const ZPipelineHealth = z.object({
  id: z.uuid(),
  name: z.string(),
  health: z.enum(HEALTH),
  /** Why the health is what it is, in words. */
  reason: z.string(),
  running: z.boolean(),
  lastRun: z.object({ id: z.uuid(), status: ZStatus, finishedAt: z.date() }).nullable(),
  nextRunAt: z.date().nullable(),
  successRate7d: z.number().nullable().describe("Succeeded runs as a percentage of finished runs in the last 7 days; null without any"),
  runs7d: z.number().int(),
  openQuarantine: z.number(),
  freshness: ZFreshness,
});
export type TPipelineHealth = z.infer<typeof ZPipelineHealth>;

/** Every pipeline of the workspace with its health, worst first (failing, late, drifting, healthy), then by name. */
export async function controlRoom(ctx: Ctx, now: Date = new Date()): Promise<TPipelineHealth[]> {
  const pipelines = await ctx.prisma.pipeline.findMany({ where: { workspaceId: ctx.workspaceId }, select: { id: true, name: true, createdAt: true }, orderBy: { name: "asc" } });
  if (pipelines.length === 0) return [];
  const ids = pipelines.map((p) => p.id);
  const [last, lastSuccess, week, running, quarantine, schedules, drift, freshnessLimits] = await Promise.all([
    // One index probe per pipeline (run_stats by pipeline, newest first), however many runs each has.
    ctx.pool.query<{ pipeline_id: string; run_id: string; status: z.infer<typeof ZStatus>; finished_at: Date; error: string | null }>(
      `SELECT p.id AS pipeline_id, l.run_id, l.status, l.finished_at, r.error
         FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (SELECT s.run_id, s.status, s.finished_at FROM run_stats s
                              WHERE s.pipeline_id = p.id AND s.status <> 'canceled' AND s.trigger <> 'reingest'
                              ORDER BY s.finished_at DESC LIMIT 1) l
         JOIN runs r ON r.id = l.run_id`,
      [ids],
    ),
    ctx.pool.query<{ pipeline_id: string; finished_at: Date }>(
      `SELECT p.id AS pipeline_id, l.finished_at
         FROM unnest($1::uuid[]) AS p(id)
         CROSS JOIN LATERAL (SELECT s.finished_at FROM run_stats s WHERE s.pipeline_id = p.id AND s.status = 'succeeded'
                              ORDER BY s.finished_at DESC LIMIT 1) l`,
      [ids],
    ),
    ctx.pool.query<{ pipeline_id: string; finished: number; succeeded: number }>(
      `SELECT pipeline_id, count(*)::int AS finished, count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded
         FROM run_stats WHERE workspace_id = $1 AND finished_at >= $2 AND status IN ('succeeded', 'failed') GROUP BY pipeline_id`,
      [ctx.workspaceId, new Date(now.getTime() - 7 * DAY_MS)],
    ),
    ctx.pool.query<{ pipeline_id: string }>(
      "SELECT DISTINCT pipeline_id FROM runs WHERE workspace_id = $1 AND status IN ('queued', 'running')",
      [ctx.workspaceId],
    ),
    ctx.pool.query<{ pipeline_id: string; n: number }>(
      `SELECT r.pipeline_id, count(*)::float8 AS n FROM quarantined_records q JOIN runs r ON r.id = q.run_id
        WHERE q.workspace_id = $1 AND q.status = 'open' GROUP BY r.pipeline_id`,
      [ctx.workspaceId],
    ),
    ctx.pool.query<TScheduleRow & { pipeline_id: string }>(
      "SELECT pipeline_id, cron, timezone, enabled, next_fire_at FROM pipeline_schedules WHERE workspace_id = $1",
      [ctx.workspaceId],
    ),
    ctx.pool.query<{ pipeline_id: string; summary: string }>(
      `SELECT DISTINCT ON (i.pipeline_id) i.pipeline_id, i.summary FROM alert_incidents i JOIN alert_rules a ON a.id = i.rule_id
        WHERE i.workspace_id = $1 AND i.status = 'open' AND a.kind = 'schema_drift' ORDER BY i.pipeline_id, i.opened_at DESC`,
      [ctx.workspaceId],
    ),
    strictestThreshold(ctx, ids, "freshness"),
  ]);
  const byPipeline = <T extends { pipeline_id: string }>(rows: T[]) => new Map(rows.map((r) => [r.pipeline_id, r]));
  const lastOf = byPipeline(last.rows);
  const successOf = byPipeline(lastSuccess.rows);
  const weekOf = byPipeline(week.rows);
  const runningSet = new Set(running.rows.map((r) => r.pipeline_id));
  const quarantineOf = byPipeline(quarantine.rows);
  const scheduleRows = byPipeline(schedules.rows);
  const driftOf = byPipeline(drift.rows);
  const rows = pipelines.map((p): TPipelineHealth => {
    const lastRun = lastOf.get(p.id);
    const schedule = scheduleOf(scheduleRows.get(p.id), now);
    const freshness = freshnessOf({ lastSuccessAt: successOf.get(p.id)?.finished_at ?? null, watchedSince: p.createdAt, schedule, freshnessLimitHours: freshnessLimits.get(p.id) ?? null }, now);
    const weekRow = weekOf.get(p.id);
    let health: THealth = "healthy";
    let reason = lastRun ? "The last run succeeded" : "No runs yet";
    if (lastRun?.status === "failed") {
      health = "failing";
      reason = lastRun.error ? `The last run failed: ${lastRun.error}` : "The last run failed";
    } else if (freshness.late) {
      health = "late";
      reason = freshness.freshnessLimitHours !== null ? `No successful run in the last ${freshness.freshnessLimitHours} h` : "No successful run in two schedule periods";
    } else if (driftOf.has(p.id)) {
      health = "drifting";
      reason = driftOf.get(p.id)!.summary;
    }
    return {
      id: p.id,
      name: p.name,
      health,
      reason,
      running: runningSet.has(p.id),
      lastRun: lastRun ? { id: lastRun.run_id, status: lastRun.status, finishedAt: lastRun.finished_at } : null,
      nextRunAt: schedule?.enabled ? (schedule.nextFireAt ?? null) : null,
      successRate7d: weekRow && weekRow.finished > 0 ? Math.round((weekRow.succeeded / weekRow.finished) * 1000) / 10 : null,
      runs7d: weekRow?.finished ?? 0,
      openQuarantine: quarantineOf.get(p.id)?.n ?? 0,
      freshness,
    };
  });
  return rows.sort((a, b) => HEALTH.indexOf(a.health) - HEALTH.indexOf(b.health) || a.name.localeCompare(b.name));
}
