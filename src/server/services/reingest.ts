/**
 * Starting a re-ingest: quarantined records (fixed or not) go back through the part of
 * the pipeline downstream of the node that rejected them, as a new run linked to the
 * original. What the run's entry node does with them is the engine's part
 * (../engine/reingest.ts).
 */
import { recordAudit } from "../audit/record";
import { sql } from "@/nodes/sql";
import { query, transaction } from "../db/query";
import { buildPlan, type ExecutionPlan, type PlannedNode } from "../engine/plan";
import { insertRun } from "../engine/runs";
import { GraphInvalidError, NotFoundError, ReingestError } from "../errors";
import { resolveRunParams } from "@/nodes/params";
import type { TPipelineGraph } from "@/nodes/pipeline";
import { getPipeline, validateGraph } from "./pipelines";
import { targetSql, type TQuarantineTarget } from "./quarantine";
import type { RunCtx } from "./runs";

/** The recorded parameters a version still declares (one saved since may have dropped some). */
function pickDeclared(graph: TPipelineGraph, recorded: unknown): Record<string, unknown> {
  const declared = new Set((graph.params ?? []).map((p) => p.name));
  if (typeof recorded !== "object" || recorded === null || Array.isArray(recorded)) return {};
  return Object.fromEntries(Object.entries(recorded).filter(([name]) => declared.has(name)));
}

function downstreamOf(plan: ExecutionPlan, nodeId: string): PlannedNode[] {
  const seen = new Set<string>([nodeId]);
  const stack = [nodeId];
  while (stack.length > 0) {
    for (const consumer of plan.get(stack.pop()!)?.consumers ?? []) {
      if (seen.has(consumer)) continue;
      seen.add(consumer);
      stack.push(consumer);
    }
  }
  return [...plan.values()].filter((n) => seen.has(n.id));
}

/**
 * Starts one re-ingest run per original run among the target records (open or fixed
 * ones; settled records and records already on their way back are left alone).
 * `version`: "pinned" replays under the version the original run used, "current" under
 * the pipeline's latest.
 */
export async function startReingest(
  ctx: RunCtx,
  target: TQuarantineTarget,
  options: { version: "pinned" | "current" } = { version: "pinned" },
): Promise<{ runIds: string[]; records: number }> {
  const started = await transaction(ctx.pool, async (client) => {
    const picked = await query<{ id: string; run_id: string; node_id: string }>(
      client,
      sql`SELECT q.id::text, q.run_id::text, q.node_id FROM quarantined_records AS q
        WHERE ${targetSql(ctx, target)} AND q.status IN ('open', 'fixed')
          AND NOT EXISTS (SELECT 1 FROM runs AS r WHERE r.id = q.reingest_run_id AND r.status IN ('queued', 'running'))
        ORDER BY q.id FOR UPDATE OF q`,
    );
    if (picked.rows.length === 0) {
      throw new ReingestError("Nothing to re-ingest: the selected records are already re-ingested, discarded, or on their way back");
    }
    const groups = new Map<string, { runId: string; nodeId: string; ids: string[] }>();
    for (const row of picked.rows) {
      const key = `${row.run_id}\u0000${row.node_id}`;
      const group = groups.get(key) ?? { runId: row.run_id, nodeId: row.node_id, ids: [] };
      group.ids.push(row.id);
      groups.set(key, group);
    }
    const runIds: string[] = [];
    for (const group of groups.values()) {
      const original = await ctx.prisma.run.findFirst({
        where: { id: group.runId, workspaceId: ctx.workspaceId },
        select: { pipelineId: true, params: true, version: { select: { number: true } } },
      });
      if (!original) throw new NotFoundError("Run", group.runId);
      const pipeline = await getPipeline(ctx, original.pipelineId, options.version === "pinned" ? original.version.number : undefined);
      // Replayed records see the original run's parameters; the latest version may declare others.
      const params = resolveRunParams(pipeline.graph.params ?? [], pickDeclared(pipeline.graph, original.params));
      if (!params.ok) throw new ReingestError(`The original run's parameters do not fit version ${pipeline.version}: ${params.problems.map((p) => p.message).join("; ")}`);
      const checked = await validateGraph(ctx, pipeline.graph, params.values);
      if (checked.problems.length > 0) throw new GraphInvalidError(checked.problems, "re-ingested into");
      const plan = buildPlan(checked);
      const entry = plan.get(group.nodeId);
      if (!entry || (entry.definition.execution.kind !== "validate" && entry.definition.execution.kind !== "source")) {
        throw new ReingestError(
          `Version ${pipeline.version} of the pipeline has no node "${group.nodeId}" that checks records: re-ingest under the pinned version instead`,
        );
      }
      const version = await ctx.prisma.pipelineVersion.findUniqueOrThrow({
        where: { pipelineId_number: { pipelineId: pipeline.id, number: pipeline.version } },
        select: { id: true },
      });
      const runId = await insertRun(client, ctx, {
        pipelineId: pipeline.id,
        versionId: version.id,
        trigger: "reingest",
        // The original run's parameters: a replayed record sees what it saw the first time.
        params: params.values,
        reingest: { entryNodeId: entry.id, recordIds: group.ids, by: ctx.actor },
        parentRunId: group.runId,
        nodes: downstreamOf(plan, entry.id),
        entries: [entry],
      });
      await client.query("UPDATE quarantined_records SET reingest_run_id = $1, updated_at = now() WHERE id = ANY($2::bigint[])", [runId, group.ids]);
      runIds.push(runId);
    }
    return { runIds, records: picked.rows.length };
  });
  await recordAudit(ctx, { action: "quarantine.reingested", details: started });
  return started;
}
