/**
 * Evaluating alert rules against what happened: a finished run, the passing of time
 * (freshness) or a connector's report of schema drift. A breach opens an incident — at most
 * one open per rule and pipeline, enforced by a partial unique index, so several workers
 * evaluating at once still send one message — and a later clear resolves it with one
 * "resolved" message. Deliveries are queued in the incident's transaction.
 */
import type pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { registry } from "@/nodes/registry";
import { transaction } from "../db/query";
import { queueDeliveries } from "./deliveries";
import { renderAlert } from "./message";
import { checkFreshness, checkRun, describeRule, type TCheck, type THistory, type TRuleKind, type TRunFigures } from "./rules";

export interface AlertsBase {
  prisma: PrismaClient;
  pool: pg.Pool;
}

interface TRuleRow {
  id: string;
  workspaceId: string;
  pipelineId: string | null;
  kind: TRuleKind;
  threshold: number | null;
  window: number | null;
  minimum: number | null;
  createdAt: Date;
  channels: { channelId: string }[];
}

/** Rules of `kinds` that watch `pipelineId`: its own and the workspace-wide ones. */
async function rulesFor(prisma: PrismaClient, workspaceId: string, pipelineId: string, kinds: TRuleKind[]): Promise<TRuleRow[]> {
  return prisma.alertRule.findMany({
    where: { workspaceId, enabled: true, kind: { in: kinds }, OR: [{ pipelineId }, { pipelineId: null }] },
    include: { channels: { select: { channelId: true } } },
    orderBy: { createdAt: "asc" },
  });
}

interface TOutcomeContext {
  rule: TRuleRow;
  pipeline: { id: string; name: string };
  runId: string | null;
  /** The run that clears an incident; for freshness the last successful run. */
  clearingRunId: string | null;
  now: Date;
  /** An incident this very run opened is not cleared by the same run (schema drift reported during it). */
  keepIncidentsOfRun?: string;
}

export type TIncidentChange = { ruleId: string; pipelineId: string; change: "opened" | "repeated" | "resolved" | "unchanged" };

async function apply(base: AlertsBase, context: TOutcomeContext, check: TCheck): Promise<TIncidentChange> {
  const { rule, pipeline, now } = context;
  const unchanged: TIncidentChange = { ruleId: rule.id, pipelineId: pipeline.id, change: "unchanged" };
  if (check.outcome === "not-applicable") return unchanged;
  const channelIds = rule.channels.map((c) => c.channelId);
  const description = describeRule(rule);
  return transaction(base.pool, async (client) => {
    if (check.outcome === "breached") {
      const opened = await client.query<{ id: string }>(
        `INSERT INTO alert_incidents (id, workspace_id, rule_id, pipeline_id, status, run_id, figures, summary, opened_at)
         VALUES (gen_random_uuid(), $1, $2, $3, 'open', $4, $5::jsonb, $6, $7)
         ON CONFLICT (rule_id, pipeline_id) WHERE status = 'open' DO NOTHING RETURNING id`,
        [rule.workspaceId, rule.id, pipeline.id, context.runId, JSON.stringify(check.figures), check.summary, now],
      );
      const incidentId = opened.rows[0]?.id;
      if (!incidentId) {
        // Still broken: counted, not sent again. The same run evaluated twice (a retried job) is not a repeat.
        const repeated = await client.query(
          `UPDATE alert_incidents SET repeats = repeats + 1
            WHERE rule_id = $1 AND pipeline_id = $2 AND status = 'open' AND ($3::uuid IS NULL OR run_id IS DISTINCT FROM $3::uuid)`,
          [rule.id, pipeline.id, context.runId],
        );
        return { ...unchanged, change: (repeated.rowCount ?? 0) > 0 ? "repeated" : "unchanged" };
      }
      const message = renderAlert({
        event: "firing",
        pipeline,
        rule: { id: rule.id, kind: rule.kind, description },
        summary: check.summary,
        figures: check.figures,
        runId: context.runId,
        failedNodeId: check.nodeId,
        incidentId,
        at: now,
      });
      await queueDeliveries(client, { workspaceId: rule.workspaceId, incidentId, event: "firing", message, channelIds });
      return { ...unchanged, change: "opened" };
    }
    const resolved = await client.query<{ id: string; summary: string; figures: Record<string, unknown>; run_id: string | null }>(
      `UPDATE alert_incidents SET status = 'resolved', resolved_at = $3, resolved_by_run_id = $4
        WHERE rule_id = $1 AND pipeline_id = $2 AND status = 'open' AND run_id IS DISTINCT FROM $5::uuid
        RETURNING id, summary, figures, run_id`,
      [rule.id, pipeline.id, now, context.clearingRunId, context.keepIncidentsOfRun ?? null],
    );
    const incident = resolved.rows[0];
    if (!incident) return unchanged;
    const message = renderAlert({
      event: "resolved",
      pipeline,
      rule: { id: rule.id, kind: rule.kind, description },
      summary: `Back to normal${context.clearingRunId ? " with this run" : ""}. It broke with: ${incident.summary}`,
      figures: incident.figures,
      runId: context.clearingRunId,
      incidentId: incident.id,
      at: now,
    });
    await queueDeliveries(client, { workspaceId: rule.workspaceId, incidentId: incident.id, event: "resolved", message, channelIds });
    return { ...unchanged, change: "resolved" };
  });
}

interface TNodeCounts {
  node_id: string;
  node_type: string;
  status: string;
  attempt: number;
  rows_in: string;
  rows_out: string;
  rows_rejected: string;
  error: string | null;
}

function figuresOf(run: { status: string; reingest: unknown; error: string | null; startedAt: Date | null; finishedAt: Date | null }, nodes: TNodeCounts[]): TRunFigures {
  const kindOf = (n: TNodeCounts) => registry.get(n.node_type)?.execution.kind;
  const sum = (list: TNodeCounts[], pick: (n: TNodeCounts) => string) => list.reduce((total, n) => total + Number(pick(n)), 0);
  const sources = nodes.filter((n) => kindOf(n) === "source");
  const destinations = nodes.filter((n) => kindOf(n) === "destination");
  const failed = nodes.find((n) => n.status === "failed");
  const most = (list: TNodeCounts[], pick: (n: TNodeCounts) => string) =>
    list.reduce<TNodeCounts | null>((best, n) => (Number(pick(n)) > 0 && (!best || Number(pick(n)) > Number(pick(best))) ? n : best), null)?.node_id ?? null;
  return {
    status: run.status === "succeeded" ? "succeeded" : "failed",
    reingest: run.reingest !== null,
    durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
    rowsRead: sum(sources, (n) => n.rows_in),
    rowsLoaded: sum(destinations, (n) => n.rows_out),
    rowsRejected: sum(nodes, (n) => n.rows_rejected),
    failedNode: failed ? { nodeId: failed.node_id, error: failed.error, attempts: Math.max(1, failed.attempt) } : null,
    error: run.error,
    rejectingNodeId: most(nodes, (n) => n.rows_rejected),
    loadingNodeId: most(destinations, (n) => n.rows_out) ?? destinations[0]?.node_id ?? null,
  };
}

/** Earlier successful, non-re-ingest runs of the pipeline, newest first. */
async function historyOf(base: AlertsBase, run: { id: string; pipelineId: string; finishedAt: Date | null }, window: number): Promise<THistory> {
  const rows = await base.pool.query<{ loaded: string; duration_ms: number | null }>(
    `SELECT coalesce((SELECT sum(n.rows_out) FROM node_runs n WHERE n.run_id = r.id AND n.node_type = ANY($4::text[])), 0) AS loaded,
            extract(epoch FROM (r.finished_at - r.started_at)) * 1000 AS duration_ms
       FROM runs r
      WHERE r.pipeline_id = $1 AND r.id <> $2 AND r.status = 'succeeded' AND r.reingest IS NULL AND r.finished_at <= $3
      ORDER BY r.finished_at DESC LIMIT $5`,
    [run.pipelineId, run.id, run.finishedAt ?? new Date(), destinationTypes(), window],
  );
  return {
    rowsLoaded: rows.rows.map((r) => Number(r.loaded)),
    durationsMs: rows.rows.filter((r) => r.duration_ms !== null).map((r) => Number(r.duration_ms)),
  };
}

function destinationTypes(): string[] {
  return registry
    .all()
    .filter((d) => d.execution.kind === "destination")
    .map((d) => d.type);
}

const RUN_KINDS: TRuleKind[] = ["run_failed", "reject_rate", "volume_anomaly", "duration_anomaly", "freshness", "schema_drift"];

/** Every rule that watches a finished run's pipeline, judged against that run. Canceled runs say nothing. */
export async function evaluateRunAlerts(base: AlertsBase, runId: string, now: Date = new Date()): Promise<TIncidentChange[]> {
  const run = await base.prisma.run.findUnique({ where: { id: runId }, include: { pipeline: { select: { id: true, name: true } } } });
  if (!run || (run.status !== "succeeded" && run.status !== "failed")) return [];
  const rules = await rulesFor(base.prisma, run.workspaceId, run.pipelineId, RUN_KINDS);
  if (rules.length === 0) return [];
  const nodes = await base.pool.query<TNodeCounts>(
    "SELECT node_id, node_type, status, attempt, rows_in::text, rows_out::text, rows_rejected::text, error FROM node_runs WHERE run_id = $1 ORDER BY node_id",
    [runId],
  );
  const figures = figuresOf(run, nodes.rows);
  const changes: TIncidentChange[] = [];
  for (const rule of rules) {
    const context: TOutcomeContext = { rule, pipeline: run.pipeline, runId, clearingRunId: runId, now };
    let check: TCheck;
    if (rule.kind === "freshness" || rule.kind === "schema_drift") {
      // A success clears staleness at once, and drift reported by an earlier run.
      check = run.status === "succeeded" ? { outcome: "clear" } : { outcome: "not-applicable" };
      context.keepIncidentsOfRun = runId;
    } else {
      const needsHistory = rule.kind === "volume_anomaly" || rule.kind === "duration_anomaly";
      const history = needsHistory ? await historyOf(base, run, rule.window ?? 10) : { rowsLoaded: [], durationsMs: [] };
      check = checkRun(rule, figures, history);
    }
    changes.push(await apply(base, context, check));
  }
  return changes;
}

/** Every freshness rule of every workspace, judged at `now`: run by one cron job for all workers. */
export async function evaluateFreshness(base: AlertsBase, now: Date = new Date()): Promise<TIncidentChange[]> {
  const rules = await base.prisma.alertRule.findMany({ where: { enabled: true, kind: "freshness" }, include: { channels: { select: { channelId: true } } } });
  const changes: TIncidentChange[] = [];
  for (const rule of rules) {
    const watched = await base.pool.query<{ id: string; name: string; created_at: Date; last_run_id: string | null; last_success_at: Date | null }>(
      `SELECT p.id, p.name, p.created_at, last.id AS last_run_id, last.finished_at AS last_success_at
         FROM pipelines p
         LEFT JOIN LATERAL (SELECT r.id, r.finished_at FROM runs r WHERE r.pipeline_id = p.id AND r.status = 'succeeded' AND r.finished_at <= $3
                             ORDER BY r.finished_at DESC LIMIT 1) last ON true
        WHERE p.workspace_id = $1 AND ($2::uuid IS NULL OR p.id = $2::uuid)`,
      [rule.workspaceId, rule.pipelineId, now],
    );
    for (const pipeline of watched.rows) {
      const watchingSince = new Date(Math.max(pipeline.created_at.getTime(), rule.createdAt.getTime()));
      const since = pipeline.last_success_at && pipeline.last_success_at > watchingSince ? pipeline.last_success_at : watchingSince;
      const check = checkFreshness(rule, since, pipeline.last_success_at, now);
      changes.push(await apply(base, { rule, pipeline: { id: pipeline.id, name: pipeline.name }, runId: null, clearingRunId: pipeline.last_run_id, now }, check));
    }
  }
  return changes;
}

/**
 * What a connector calls when a source's columns changed since the last run (added,
 * removed, retyped): schema-drift rules watching the pipeline open an incident, which the
 * next successful run of the pipeline resolves.
 */
export async function reportSchemaDrift(
  base: AlertsBase,
  report: { runId: string; nodeId: string; changes: string[] },
  now: Date = new Date(),
): Promise<TIncidentChange[]> {
  const run = await base.prisma.run.findUnique({ where: { id: report.runId }, include: { pipeline: { select: { id: true, name: true } } } });
  if (!run) return [];
  const rules = await rulesFor(base.prisma, run.workspaceId, run.pipelineId, ["schema_drift"]);
  const changes: TIncidentChange[] = [];
  for (const rule of rules) {
    const check: TCheck = {
      outcome: "breached",
      summary: `The columns of node "${report.nodeId}" changed: ${report.changes.join("; ")}`,
      figures: { node: report.nodeId, changes: report.changes.join("; ") },
      nodeId: report.nodeId,
    };
    changes.push(await apply(base, { rule, pipeline: run.pipeline, runId: run.id, clearingRunId: null, now }, check));
  }
  return changes;
}
