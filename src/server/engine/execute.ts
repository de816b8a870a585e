/**
 * What a node does inside its job: SQL nodes run their compiled statement here, every
 * other node type its runner (./runners). Sources stream in chunks that commit with
 * checkpoints; every other node does its work and marks itself done in one transaction,
 * so a crash at any point leaves either nothing or everything.
 */
import type pg from "pg";
import { sql } from "@/nodes/sql";
import type { TValidateConfig } from "@/nodes/validate/config";
import { query } from "../db/query";
import { atomically, tableChecksum, type NodeJob } from "./node-job";
import { nodeRelation } from "./plan";
import { executeReingestEntry } from "./reingest";
import { runnerOf, runners } from "./runners/registry";
import { NO_RULES } from "./validate/entry-config";

async function upstreamRowsOut(client: pg.ClientBase, job: NodeJob): Promise<number> {
  const result = await client.query<{ rows: string | null }>(
    "SELECT sum(rows_out)::text AS rows FROM node_runs WHERE run_id = $1 AND node_id = ANY($2::text[])",
    [job.runId, Object.values(job.node.inputs)],
  );
  return Number(result.rows[0]?.rows ?? 0);
}

async function executeSql(job: NodeJob): Promise<void> {
  const { node, runId } = job;
  if (node.definition.execution.kind !== "sql") throw new Error(`${node.definition.type} is not a SQL node`);
  const { compile, rowwise, passThrough } = node.definition.execution;
  const inputs = Object.fromEntries(
    Object.entries(node.inputs).map(([port, upstream]) => [port, { relation: job.relationOf(upstream), columns: job.plan.get(upstream)!.output }]),
  );
  const select = compile({ config: node.config, inputs, output: node.output, runId, nodeId: node.id });
  const target = nodeRelation(runId, node.id);
  await atomically(job, async (client) => {
    const rowsIn = await upstreamRowsOut(client, job);
    if (rowwise) {
      await query(client, sql`DROP VIEW IF EXISTS ${target}`);
      // Views cannot take bind parameters; literal() quotes every value safely.
      await query(client, sql`CREATE VIEW ${target} AS ${select}`, { literalValues: true });
      if (passThrough) return { rowsIn, rowsOut: rowsIn, rowsRejected: 0, logs: ["row-wise: a view, fused into the statement that reads it"] };
      // count(v) builds every row, so an expression that fails (a bad cast, a division by
      // zero) fails here, on this node, rather than later in whichever node reads the view.
      const counted = await query(client, sql`SELECT count(v)::bigint AS n FROM ${target} AS v`);
      return { rowsIn, rowsOut: Number(counted.rows[0]?.n ?? 0), rowsRejected: 0, logs: ["row-wise: a view, fused into the statement that reads it"] };
    }
    await query(client, sql`DROP TABLE IF EXISTS ${target}`);
    const created = await query(client, sql`CREATE UNLOGGED TABLE ${target} AS ${select}`, { literalValues: true });
    return { rowsIn, rowsOut: created.rowCount ?? 0, rowsRejected: 0, checksum: await tableChecksum(client, target) };
  });
}

/** The rules of a re-ingest's entry node: a validate node's own, none for a source. */
function entryRules(job: NodeJob): TValidateConfig {
  const runner = runnerOf(job.node.definition.type, "validate");
  if (!runner) return NO_RULES;
  const rules = runner.rules(job.node.config);
  if (!rules) throw new Error(`${job.node.id}: its saved config is not a valid config of ${job.node.definition.type}`);
  return rules;
}

/** Executes one node of a run; throws with a message a person can act on. */
export async function executeNode(job: NodeJob): Promise<void> {
  const { definition } = job.node;
  const reingest = job.reingest;
  if (reingest && reingest.entryNodeId === job.node.id) {
    return atomically(job, (client) =>
      executeReingestEntry(client, {
        plan: job.plan,
        entry: job.node,
        runId: job.runId,
        workspaceId: job.workspaceId,
        parentRunId: reingest.parentRunId,
        by: reingest.by,
        recordIds: reingest.recordIds,
        rules: entryRules(job),
        target: nodeRelation(job.runId, job.node.id),
      }),
    );
  }
  if (definition.execution.kind === "sql") return executeSql(job);
  const runner = runners.get(definition.type);
  if (!runner) throw new Error(`this worker cannot execute ${definition.type} nodes`);
  return runner.execute(job);
}
