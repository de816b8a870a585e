/**
 * Re-ingest: quarantined records (fixed or not) go back through the part of the
 * pipeline downstream of the node that rejected them, as a new run linked to the
 * original. The entry node checks them again; records that pass flow on and are
 * loaded (the destination's upsert keeps reruns free of duplicates), records that fail
 * again return to quarantine with their new errors.
 */
import type pg from "pg";
import { z } from "zod";
import type { Column } from "@/nodes/contract";
import { LINEAGE_COLUMN } from "@/nodes/contract";
import { ident, join, render, sql, type Sql } from "@/nodes/sql";
import type { TRule, TValidateConfig } from "@/nodes/validate/config";
import validateNode from "@/nodes/validate/validate";
import { getPipeline, GraphInvalidError, NotFoundError, validateGraph } from "../services/pipelines";
import { targetSql, type TQuarantineTarget } from "../services/quarantine";
import { inTransaction } from "./lifecycle";
import { buildPlan, type ExecutionPlan, type PlannedNode } from "./plan";
import { insertRun, type EngineCtx } from "./runs";
import { validateInSql } from "./validate/validate-in-sql";

/** Stored in the re-ingest run's params. */
export const ZReingestParams = z.object({
  reingest: z.object({
    entryNodeId: z.string(),
    recordIds: z.array(z.string().regex(/^\d+$/)).min(1),
    /** Who asked for the re-ingest; written into each record's history. */
    by: z.string(),
  }),
});
export type TReingestParams = z.infer<typeof ZReingestParams>;

export class ReingestError extends Error {}

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
  ctx: EngineCtx,
  target: TQuarantineTarget,
  options: { version: "pinned" | "current" } = { version: "pinned" },
): Promise<{ runIds: string[]; records: number }> {
  return inTransaction(ctx.pool, async (client) => {
    const picked = await client.query<{ id: string; run_id: string; node_id: string }>(
      render(sql`SELECT q.id::text, q.run_id::text, q.node_id FROM quarantined_records AS q
        WHERE ${targetSql(ctx, target)} AND q.status IN ('open', 'fixed')
          AND NOT EXISTS (SELECT 1 FROM runs AS r WHERE r.id = q.reingest_run_id AND r.status IN ('queued', 'running'))
        ORDER BY q.id FOR UPDATE OF q`),
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
        select: { pipelineId: true, version: { select: { number: true } } },
      });
      if (!original) throw new NotFoundError("Run", group.runId);
      const pipeline = await getPipeline(ctx, original.pipelineId, options.version === "pinned" ? original.version.number : undefined);
      const checked = await validateGraph(ctx, pipeline.graph);
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
      const params: TReingestParams = { reingest: { entryNodeId: entry.id, recordIds: group.ids, by: ctx.actor } };
      const runId = await insertRun(client, ctx, {
        pipelineId: pipeline.id,
        versionId: version.id,
        trigger: "reingest",
        params,
        parentRunId: group.runId,
        nodes: downstreamOf(plan, entry.id),
        entries: [entry],
      });
      await client.query("UPDATE quarantined_records SET reingest_run_id = $1, updated_at = now() WHERE id = ANY($2::bigint[])", [runId, group.ids]);
      runIds.push(runId);
    }
    return { runIds, records: picked.rows.length };
  });
}

/**
 * The rules a re-ingested record is checked against at its entry node: the validate
 * node's own, plus a type check for every field arriving as text whose type the
 * upstream fixed (the fused streaming path checks those types too).
 */
function entryConfig(entry: PlannedNode, incoming: Column[]): TValidateConfig {
  const own: TValidateConfig =
    entry.definition.execution.kind === "validate" ? validateNode.config.parse(entry.config) : { rules: [], unknownFields: "keep" };
  const rules = new Map<string, TRule>(own.rules.map((r) => [r.field, r]));
  for (const column of incoming) {
    const rule = rules.get(column.name);
    if (column.type === "string" || rule?.type) continue;
    rules.set(column.name, { ...(rule ?? { field: column.name }), type: column.type });
  }
  return { ...own, rules: [...rules.values()] };
}

/** The entry node of a re-ingest run: re-check the records and settle each one. */
export async function executeReingestEntry(
  client: pg.ClientBase,
  args: { plan: ExecutionPlan; entry: PlannedNode; runId: string; workspaceId: string; by: string; recordIds: string[]; target: Sql },
): Promise<{ rowsIn: number; rowsOut: number; rowsRejected: number }> {
  const { entry, runId, recordIds } = args;
  const upstream = entry.inputs.in ? args.plan.get(entry.inputs.in) : undefined;
  const incoming = upstream ? upstream.output : entry.output;
  const asText: Column[] = incoming.map((c) => ({ name: c.name, type: "string" }));
  const relation = sql`(SELECT ${join([
    ...asText.map((c) => sql`NULLIF(q.record ->> ${c.name}, '') AS ${ident(c.name)}`),
    sql`q.lineage_id AS ${ident(LINEAGE_COLUMN)}`,
  ])} FROM quarantined_records AS q WHERE q.id = ANY(${recordIds}::bigint[]))`;

  await client.query(render(sql`DROP TABLE IF EXISTS ${args.target}`));
  await client.query("DELETE FROM quarantined_records WHERE run_id = $1 AND node_id = $2", [runId, entry.id]);
  const counts = await validateInSql({
    client,
    input: { relation, columns: asText },
    config: entryConfig(entry, incoming),
    target: args.target,
    quarantine: { workspaceId: args.workspaceId, runId, nodeId: entry.id },
  });

  // Failed again: the original record takes its new errors and is open again; the
  // re-ingest run's copy of it goes (one record, one place in quarantine).
  const historyEntry = (outcome: "passed" | "failed") =>
    sql`jsonb_build_array(jsonb_build_object('at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'by', ${args.by}::text,
        'action', 'reingest', 'runId', ${runId}::text, 'outcome', ${outcome}::text))`;
  await client.query(
    render(sql`UPDATE quarantined_records AS o SET errors = n.errors, status = 'open', updated_at = now(),
        history = o.history || ${historyEntry("failed")}
      FROM quarantined_records AS n
      WHERE n.run_id = ${runId}::uuid AND n.node_id = ${entry.id} AND o.id = ANY(${recordIds}::bigint[]) AND o.lineage_id = n.lineage_id`),
  );
  await client.query(
    render(sql`UPDATE quarantined_records AS o SET status = 'reingested', updated_at = now(), history = o.history || ${historyEntry("passed")}
      WHERE o.id = ANY(${recordIds}::bigint[])
        AND NOT EXISTS (SELECT 1 FROM quarantined_records AS n WHERE n.run_id = ${runId}::uuid AND n.node_id = ${entry.id} AND n.lineage_id = o.lineage_id)`),
  );
  await client.query("DELETE FROM quarantined_records WHERE run_id = $1 AND node_id = $2", [runId, entry.id]);
  return counts;
}
