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
import { ident, join, sql, type Sql } from "@/nodes/sql";
import type { TRule, TValidateConfig } from "@/nodes/validate/config";
import validateNode from "@/nodes/validate/validate";
import { query } from "../db/query";
import type { ExecutionPlan, PlannedNode } from "./plan";
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

  await query(client, sql`DROP TABLE IF EXISTS ${args.target}`);
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
  await query(
    client,
    sql`UPDATE quarantined_records AS o SET errors = n.errors, status = 'open', updated_at = now(),
        history = o.history || ${historyEntry("failed")}
      FROM quarantined_records AS n
      WHERE n.run_id = ${runId}::uuid AND n.node_id = ${entry.id} AND o.id = ANY(${recordIds}::bigint[]) AND o.lineage_id = n.lineage_id`,
  );
  await query(
    client,
    sql`UPDATE quarantined_records AS o SET status = 'reingested', updated_at = now(), history = o.history || ${historyEntry("passed")}
      WHERE o.id = ANY(${recordIds}::bigint[])
        AND NOT EXISTS (SELECT 1 FROM quarantined_records AS n WHERE n.run_id = ${runId}::uuid AND n.node_id = ${entry.id} AND n.lineage_id = o.lineage_id)`,
  );
  await client.query("DELETE FROM quarantined_records WHERE run_id = $1 AND node_id = $2", [runId, entry.id]);
  return counts;
}
