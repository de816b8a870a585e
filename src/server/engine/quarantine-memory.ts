/**
 * Quarantine remembers records across runs. Records enter quarantine during a node's run
 * as they always did (the stagers' COPY, validation's INSERT, the set rules); when the node
 * completes, in the transaction that completes it, {@link settleQuarantine} gives each of
 * the run's new records its identity — pipeline, node, source node and the md5 of the
 * record, numbered among identical records of the run — and meets it with what quarantine
 * already holds for that identity, all in SQL:
 * - an open or discarded record is only seen again: its last-seen run and seen count move,
 *   and the run's copy goes;
 * - a fixed or re-ingested record has a remembered fix: the fixed record is checked again
 *   and, when it passes, loaded under the run's lineage id (the history says so, and
 *   lineage shows it); when it fails, the record is open again with its new errors;
 * - every other record is new, and keeps its identity for the next run.
 * The unique index on (pipeline, node, source key, occurrence) keeps one record per identity.
 */
import type pg from "pg";
import { LINEAGE_COLUMN, type Column } from "@/nodes/contract";
import { ident, join, sql, type Sql } from "@/nodes/sql";
import type { TValidateConfig } from "@/nodes/validate/config";
import { query } from "../db/query";
import type { NodeResult } from "./lifecycle";
import type { ExecutionPlan, PlannedNode } from "./plan";
import { entryConfig } from "./validate/entry-config";
import { validateInSql } from "./validate/validate-in-sql";

export interface SettleQuarantineArgs {
  client: pg.ClientBase;
  plan: ExecutionPlan;
  /** The node that owns the records: a validate node, or a source for records it could not read. */
  node: PlannedNode;
  /** The node's own rules, which a remembered fix must pass again (none for a source). */
  rules: TValidateConfig;
  runId: string;
  workspaceId: string;
  /** Where the node's passing rows are: remembered fixes that pass are added to it. */
  target: Sql;
}

export interface SettledQuarantine {
  /** Rejected records that were already in quarantine (seen again, not added). */
  known: number;
  /** Records loaded with a remembered fix (no longer rejected in this run). */
  remembered: number;
}

/** The source node a lineage id starts from: `<run>:<node>:<ordinal>:<hash>` or `agg:<run>:<node>:<md5>`. */
const SOURCE_OF_LINEAGE = sql`CASE WHEN q.lineage_id LIKE 'agg:%' THEN 'agg:' || split_part(q.lineage_id, ':', 3) ELSE split_part(q.lineage_id, ':', 2) END`;

const FRESH = sql`${ident("pg_temp", "sluice_fresh_quarantine")}`;
const FIXES = sql`${ident("pg_temp", "sluice_remembered_fixes")}`;

/** Settles the run's new records of the node (see the module comment). Run it in the transaction that completes the node. */
export async function settleQuarantine(args: SettleQuarantineArgs): Promise<SettledQuarantine> {
  const { client, node, runId } = args;
  await query(client, sql`DROP TABLE IF EXISTS ${FRESH}`);
  // Identical records of one run are numbered in any order: being identical, any order names them alike.
  await query(
    client,
    sql`CREATE TEMP TABLE ${FRESH} ON COMMIT DROP AS
      SELECT f.id, f.lineage_id, f.pipeline_id, f.source_key, f.occurrence, k.id AS known_id, k.status::text AS known_status
        FROM (SELECT q.id, q.lineage_id, r.pipeline_id, ${SOURCE_OF_LINEAGE} || ':' || md5(q.record::text) AS source_key,
                     (row_number() OVER (PARTITION BY ${SOURCE_OF_LINEAGE}, md5(q.record::text) ORDER BY q.id))::int AS occurrence
                FROM quarantined_records AS q JOIN runs AS r ON r.id = q.run_id
               WHERE q.run_id = ${runId}::uuid AND q.node_id = ${node.id} AND q.source_key IS NULL) AS f
        LEFT JOIN quarantined_records AS k
          ON k.pipeline_id = f.pipeline_id AND k.node_id = ${node.id} AND k.source_key = f.source_key AND k.occurrence = f.occurrence`,
  );
  const fixes = await loadRememberedFixes(args);

  const settled = await query<{ known: string }>(
    client,
    sql`WITH seen AS (
          UPDATE quarantined_records AS k SET last_seen_run_id = ${runId}::uuid, seen_count = k.seen_count + 1, updated_at = now()
            FROM ${FRESH} AS f WHERE k.id = f.known_id
          RETURNING 1),
        gone AS (
          DELETE FROM quarantined_records AS q USING ${FRESH} AS f WHERE q.id = f.id AND f.known_id IS NOT NULL
          RETURNING 1),
        named AS (
          UPDATE quarantined_records AS q SET pipeline_id = f.pipeline_id, source_key = f.source_key, occurrence = f.occurrence
            FROM ${FRESH} AS f WHERE q.id = f.id AND f.known_id IS NULL
          RETURNING 1)
        SELECT (SELECT count(*) FROM gone) AS known, (SELECT count(*) FROM seen) AS seen, (SELECT count(*) FROM named) AS named`,
  );
  const matched = Number(settled.rows[0]?.known ?? 0);
  const result = { known: matched - fixes.passed, remembered: fixes.passed };
  await client.query("UPDATE node_runs SET rows_known = $3, rows_remembered = $4 WHERE run_id = $1 AND node_id = $2", [
    runId,
    node.id,
    result.known,
    result.remembered,
  ]);
  return result;
}

/**
 * Checks the remembered fixes of the run's records that quarantine holds as fixed or
 * re-ingested, the way a re-ingest checks them at this node, and appends those that pass
 * to the node's output under the run's own lineage ids. A fix that fails again opens its
 * record with the new errors. Each record's history notes what the run did with its fix.
 */
async function loadRememberedFixes(args: SettleQuarantineArgs): Promise<{ passed: number }> {
  const { client, plan, node, runId, workspaceId } = args;
  const any = await query(client, sql`SELECT 1 FROM ${FRESH} WHERE known_status IN ('fixed', 'reingested') LIMIT 1`);
  if (any.rowCount === 0) return { passed: 0 };

  const upstream = node.inputs.in ? plan.get(node.inputs.in) : undefined;
  const incoming = upstream ? upstream.output : node.output;
  const asText: Column[] = incoming.map((c) => ({ name: c.name, type: "string" }));
  const relation = sql`(SELECT ${join([
    ...asText.map((c) => sql`NULLIF(k.record ->> ${c.name}, '') AS ${ident(c.name)}`),
    sql`f.lineage_id AS ${ident(LINEAGE_COLUMN)}`,
  ])} FROM ${FRESH} AS f JOIN quarantined_records AS k ON k.id = f.known_id WHERE f.known_status IN ('fixed', 'reingested'))`;

  // The check writes its rejects as records of this run and node, told apart from the run's
  // own records by the ids it gives them.
  const before = await client.query<{ max: string | null }>("SELECT max(id)::text AS max FROM quarantined_records");
  await query(client, sql`DROP TABLE IF EXISTS ${FIXES}`);
  const counts = await validateInSql({
    client,
    input: { relation, columns: asText },
    config: entryConfig(args.rules, incoming),
    target: FIXES,
    quarantine: { workspaceId, runId, nodeId: node.id },
  });
  const columns = node.output.map((c) => ident(c.name));
  await query(client, sql`INSERT INTO ${args.target} (${join([...columns, ident(LINEAGE_COLUMN)])}) SELECT ${join([...columns, ident(LINEAGE_COLUMN)])} FROM ${FIXES}`);
  await query(client, sql`DROP TABLE ${FIXES}`);

  const since = sql`${before.rows[0]?.max ?? "0"}::bigint`;
  const entry = (outcome: "passed" | "failed") =>
    sql`jsonb_build_array(jsonb_build_object('at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'by', 'sluice',
        'action', 'rememberedFix', 'runId', ${runId}::text, 'lineageId', f.lineage_id, 'outcome', ${outcome}::text))`;
  await query(
    client,
    sql`WITH failed AS (
          SELECT n.id, n.lineage_id, n.errors FROM quarantined_records AS n
           WHERE n.run_id = ${runId}::uuid AND n.node_id = ${node.id} AND n.id > ${since}),
        reopened AS (
          UPDATE quarantined_records AS k SET status = 'open', errors = x.errors, history = k.history || ${entry("failed")}
            FROM ${FRESH} AS f JOIN failed AS x ON x.lineage_id = f.lineage_id
           WHERE k.id = f.known_id
          RETURNING 1),
        passed AS (
          UPDATE quarantined_records AS k SET history = k.history || ${entry("passed")}
            FROM ${FRESH} AS f
           WHERE k.id = f.known_id AND f.known_status IN ('fixed', 'reingested') AND NOT EXISTS (SELECT 1 FROM failed AS x WHERE x.lineage_id = f.lineage_id)
          RETURNING 1)
        DELETE FROM quarantined_records AS n USING failed AS x WHERE n.id = x.id`,
  );
  return { passed: counts.rowsOut };
}

/** A node's result once quarantine has met its rejects: remembered fixes loaded, records seen again said so. */
export function withSettled(result: NodeResult, settled: SettledQuarantine): NodeResult {
  const logs = [...(result.logs ?? [])];
  const rejected = result.rowsRejected - settled.remembered;
  if (rejected > 0) logs.push(`${rejected} rejected: ${settled.known} already in quarantine, ${rejected - settled.known} new`);
  if (settled.remembered > 0) logs.push(`${settled.remembered} loaded with the fix quarantine remembered for the same source record`);
  return { ...result, rowsOut: result.rowsOut + settled.remembered, rowsRejected: rejected, logs };
}
