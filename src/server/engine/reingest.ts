/**
 * Re-ingest: quarantined records (fixed or not) go back through the part of the
 * pipeline downstream of the node that rejected them, as a new run linked to the
 * original. The entry node checks them again; records that pass flow on and are
 * loaded (the destination's upsert keeps reruns free of duplicates), records that fail
 * again return to quarantine with their new errors. Records that passed are marked
 * re-ingested only when the run succeeds, in the transaction that ends it
 * ({@link settleReingest}); if it fails or is canceled they keep their status (fixed),
 * with the run and its outcome in their history.
 */
import type pg from "pg";
import { z } from "zod";
import type { Column } from "@/nodes/contract";
import { LINEAGE_COLUMN } from "@/nodes/contract";
import { ident, join, sql, type Sql } from "@/nodes/sql";
import type { TValidateConfig } from "@/nodes/validate/config";
import { query } from "../db/query";
import type { ExecutionPlan, PlannedNode } from "./plan";
import { entryConfig } from "./validate/entry-config";
import { validateInSql } from "./validate/validate-in-sql";

/**
 * Stored in the re-ingest run's own `reingest` column, which only the re-ingest service
 * writes: never read from run params, which are whatever the caller sent.
 */
export const ZReingestInstruction = z.object({
  entryNodeId: z.string(),
  recordIds: z.array(z.string().regex(/^\d+$/)).min(1),
  /** Who asked for the re-ingest (the signed-in caller); written into each record's history. */
  by: z.string(),
});
export type TReingestInstruction = z.infer<typeof ZReingestInstruction>;

/** The entry node of a re-ingest run: re-check the records and settle each one. */
export async function executeReingestEntry(
  client: pg.ClientBase,
  args: {
    plan: ExecutionPlan;
    entry: PlannedNode;
    runId: string;
    workspaceId: string;
    /** The run the records were quarantined by: only its records at the entry node come back. */
    parentRunId: string;
    by: string;
    recordIds: string[];
    /** The entry node's own rules (its runner's `rules`). */
    rules: TValidateConfig;
    target: Sql;
  },
): Promise<{ rowsIn: number; rowsOut: number; rowsRejected: number }> {
  const { entry, runId } = args;
  // The service picked these ids in this workspace; a run row edited by hand must not widen them.
  const recordIds = (
    await client.query<{ id: string }>(
      "SELECT id::text FROM quarantined_records WHERE id = ANY($1::bigint[]) AND workspace_id = $2 AND run_id = $3 AND node_id = $4",
      [args.recordIds, args.workspaceId, args.parentRunId, entry.id],
    )
  ).rows.map((r) => r.id);
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
    config: entryConfig(args.rules, incoming),
    target: args.target,
    quarantine: { workspaceId: args.workspaceId, runId, nodeId: entry.id },
  });

  // Failed again: the original record takes its new errors and is open again; the
  // re-ingest run's copy of it goes (one record, one place in quarantine).
  await query(
    client,
    sql`UPDATE quarantined_records AS o SET errors = n.errors, status = 'open', updated_at = now(),
        history = o.history || ${historyEntry(args.by, runId, "failed")}
      FROM quarantined_records AS n
      WHERE n.run_id = ${runId}::uuid AND n.node_id = ${entry.id} AND o.id = ANY(${recordIds}::bigint[]) AND o.lineage_id = n.lineage_id`,
  );
  await client.query("DELETE FROM quarantined_records WHERE run_id = $1 AND node_id = $2", [runId, entry.id]);
  return counts;
}

/**
 * What a re-ingest did to a record, as its history says: `failed` its entry node's checks
 * again, `passed` and was loaded (the run succeeded), or passed its entry node but the run
 * then `runFailed` or was `runCanceled` (nothing of it is known to be loaded).
 */
export type TReingestOutcome = "passed" | "failed" | "runFailed" | "runCanceled";

function historyEntry(by: string | Sql, runId: string, outcome: TReingestOutcome): Sql {
  const actor = typeof by === "string" ? sql`${by}::text` : by;
  return sql`jsonb_build_array(jsonb_build_object('at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'by', ${actor},
      'action', 'reingest', 'runId', ${runId}::text, 'outcome', ${outcome}::text))`;
}

const SETTLED: Record<"succeeded" | "failed" | "canceled", TReingestOutcome> = { succeeded: "passed", failed: "runFailed", canceled: "runCanceled" };

/**
 * Settles the records a re-ingest run took, in the transaction that ends the run: when it
 * succeeded, those that passed their entry node are re-ingested; otherwise they keep their
 * status (fixed, or open) and their history links the run and what became of it. Records
 * that failed their entry node were settled there already. Nothing to do for other runs.
 */
export async function settleReingest(client: pg.ClientBase, runId: string, status: "succeeded" | "failed" | "canceled"): Promise<void> {
  const run = await client.query<{ trigger: string }>("SELECT trigger::text FROM runs WHERE id = $1", [runId]);
  if (run.rows[0]?.trigger !== "reingest") return;
  const outcome = SETTLED[status];
  const failedAgain = sql`jsonb_build_array(jsonb_build_object('runId', ${runId}::text, 'outcome', 'failed'))`;
  // The actor of the re-ingest is the one who asked for it, stored with the run's re-ingest instruction.
  const by = sql`COALESCE((SELECT r.reingest ->> 'by' FROM runs AS r WHERE r.id = ${runId}::uuid), 'sluice')`;
  await query(
    client,
    sql`UPDATE quarantined_records AS o SET ${status === "succeeded" ? sql`status = 'reingested', ` : sql``}updated_at = now(),
        history = o.history || ${historyEntry(by, runId, outcome)}
      WHERE o.reingest_run_id = ${runId}::uuid AND o.status IN ('open', 'fixed') AND NOT o.history @> ${failedAgain}`,
  );
}
