import type pg from "pg";
import { ident, sql } from "@/nodes/sql";
import { query } from "../db/query";
import { enqueueNode } from "./lifecycle";
import { runSchemaName, type PlannedNode } from "./plan";

export type TRunTrigger = "manual" | "api" | "schedule" | "webhook" | "reingest";

/**
 * Records a run with a queued node run per node, creates its data schema and enqueues
 * the entry nodes, in the caller's transaction.
 */
export async function insertRun(
  client: pg.ClientBase,
  ctx: { workspaceId: string },
  run: {
    pipelineId: string;
    versionId: string;
    trigger: TRunTrigger;
    params: unknown;
    parentRunId?: string;
    nodes: PlannedNode[];
    entries: PlannedNode[];
  },
): Promise<string> {
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO runs (id, workspace_id, pipeline_id, version_id, trigger, status, params, parent_run_id)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, 'queued', $5, $6) RETURNING id`,
    [ctx.workspaceId, run.pipelineId, run.versionId, run.trigger, JSON.stringify(run.params), run.parentRunId ?? null],
  );
  const runId = inserted.rows[0]!.id;
  await client.query(
    `INSERT INTO node_runs (id, workspace_id, run_id, node_id, node_type)
     SELECT gen_random_uuid(), $1, $2, n.id, n.type FROM unnest($3::text[], $4::text[]) AS n(id, type)`,
    [ctx.workspaceId, runId, run.nodes.map((n) => n.id), run.nodes.map((n) => n.definition.type)],
  );
  await query(client, sql`CREATE SCHEMA ${ident(runSchemaName(runId))}`);
  for (const node of run.entries) await enqueueNode(client, runId, node.id, node.attempts);
  return runId;
}
