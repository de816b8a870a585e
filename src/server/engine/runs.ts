import type pg from "pg";
import type { TPipelineGraph } from "@/nodes/pipeline";
import { ident, sql } from "@/nodes/sql";
import { query } from "../db/query";
import { enqueueNode, topologyOf } from "./lifecycle";
import { runSchemaName, type PlannedNode } from "./plan";
import type { TReingestInstruction } from "./reingest";

export type TRunTrigger = "manual" | "api" | "schedule" | "webhook" | "reingest" | "dependency";

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
    /** Only for re-ingest runs, from the re-ingest service: which records go back in, and who sent them. */
    reingest?: TReingestInstruction;
    parentRunId?: string;
    /** The schedule's fire time this run is for (at most one run per fire time). */
    scheduledFor?: Date;
    /** The upstream run whose success started this one (at most one run per upstream run). */
    triggeredByRunId?: string;
    /** Wait for this run of the same pipeline to finish before any node starts. */
    queuedBehindRunId?: string;
    nodes: PlannedNode[];
    entries: PlannedNode[];
  },
): Promise<string> {
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO runs (id, workspace_id, pipeline_id, version_id, trigger, status, params, reingest, parent_run_id, scheduled_for, triggered_by_run_id, queued_behind_run_id)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, 'queued', $5, $10, $6, $7, $8, $9) RETURNING id`,
    [
      ctx.workspaceId,
      run.pipelineId,
      run.versionId,
      run.trigger,
      JSON.stringify(run.params),
      run.parentRunId ?? null,
      run.scheduledFor ?? null,
      run.triggeredByRunId ?? null,
      run.queuedBehindRunId ?? null,
      run.reingest ? JSON.stringify(run.reingest) : null,
    ],
  );
  const runId = inserted.rows[0]!.id;
  await client.query(
    `INSERT INTO node_runs (id, workspace_id, run_id, node_id, node_type)
     SELECT gen_random_uuid(), $1, $2, n.id, n.type FROM unnest($3::text[], $4::text[]) AS n(id, type)`,
    [ctx.workspaceId, runId, run.nodes.map((n) => n.id), run.nodes.map((n) => n.definition.type)],
  );
  await query(client, sql`CREATE SCHEMA ${ident(runSchemaName(runId))}`);
  if (!run.queuedBehindRunId) for (const node of run.entries) await enqueueNode(client, runId, node.id, node.attempts);
  return runId;
}

/**
 * Starts the runs that were queued behind `runId` (schedule overlap "queue"): their entry
 * nodes are enqueued now. Returns their ids.
 */
export async function releaseQueuedRuns(client: pg.ClientBase, runId: string): Promise<string[]> {
  const followers = await client.query<{ id: string; graph: TPipelineGraph }>(
    `WITH released AS (
       UPDATE runs SET queued_behind_run_id = NULL WHERE queued_behind_run_id = $1 AND status = 'queued' RETURNING id, version_id)
     SELECT r.id, v.graph FROM released r JOIN pipeline_versions v ON v.id = r.version_id`,
    [runId],
  );
  for (const follower of followers.rows) {
    const topology = topologyOf(follower.graph);
    const nodes = await client.query<{ node_id: string }>("SELECT node_id FROM node_runs WHERE run_id = $1 AND status = 'queued'", [follower.id]);
    for (const { node_id } of nodes.rows) {
      if (topology.inputs(node_id).length === 0) await enqueueNode(client, follower.id, node_id, topology.attempts(node_id));
    }
  }
  return followers.rows.map((f) => f.id);
}
