/**
 * State changes of runs and node runs. Every change that decides what runs next
 * happens under a lock on the run row, so two nodes finishing at once cannot both
 * miss that their common consumer is now ready.
 */
import type pg from "pg";
import type { TPipelineGraph } from "@/nodes/pipeline";
import { RunCanceledError, RunStateError } from "../errors";
import { enqueue } from "../queue/job";
import { runNodeJob } from "../queue/jobs";
import { DEFAULT_ATTEMPTS, runSchemaName } from "./plan";
import { onRunFinished, onRunStarted } from "./run-hooks";

/** Who feeds whom, read straight from the pinned graph, so a node can fail cleanly even when the graph no longer checks. */
export interface RunTopology {
  consumers(nodeId: string): string[];
  inputs(nodeId: string): string[];
  attempts(nodeId: string): number;
}

export function topologyOf(graph: Pick<TPipelineGraph, "nodes" | "edges">): RunTopology {
  const consumers = new Map<string, string[]>();
  const inputs = new Map<string, string[]>();
  for (const edge of graph.edges) {
    consumers.set(edge.from, [...(consumers.get(edge.from) ?? []), edge.to]);
    inputs.set(edge.to, [...(inputs.get(edge.to) ?? []), edge.from]);
  }
  const attempts = new Map(graph.nodes.map((n) => [n.id, n.retry?.attempts ?? DEFAULT_ATTEMPTS]));
  return {
    consumers: (id) => consumers.get(id) ?? [],
    inputs: (id) => inputs.get(id) ?? [],
    attempts: (id) => attempts.get(id) ?? DEFAULT_ATTEMPTS,
  };
}

export interface NodeResult {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  checksum?: string | null;
  logs?: string[];
}

function logEntries(level: "info" | "warn" | "error", messages: readonly string[]) {
  const at = new Date().toISOString();
  return JSON.stringify(messages.map((message) => ({ at, level, message })));
}

function nodeJobKey(runId: string, nodeId: string): string {
  return `run:${runId}:node:${nodeId}`;
}

/** Enqueues a node's job in the caller's transaction; the job key makes a duplicate enqueue harmless. */
export async function enqueueNode(client: pg.ClientBase, runId: string, nodeId: string, attempts: number): Promise<void> {
  await enqueue(client, runNodeJob, { runId, nodeId }, { jobKey: nodeJobKey(runId, nodeId), maxAttempts: attempts, jobKeyMode: "preserve_run_at" });
}

/**
 * Marks a node's attempt running; false when the run was canceled or finished meanwhile,
 * and then the attempt must not start.
 */
export async function markNodeRunning(client: pg.ClientBase, runId: string, nodeId: string, attempt: number): Promise<boolean> {
  const status = await lockRun(client, runId);
  if (status !== "queued" && status !== "running") return false;
  await client.query(
    `UPDATE node_runs SET status = 'running', attempt = $3, error = NULL,
            started_at = COALESCE(started_at, clock_timestamp()),
            logs = logs || $4::jsonb
      WHERE run_id = $1 AND node_id = $2`,
    [runId, nodeId, attempt, logEntries("info", [`attempt ${attempt} started`])],
  );
  const started = await client.query(
    `UPDATE runs SET status = 'running', started_at = COALESCE(started_at, clock_timestamp()) WHERE id = $1 AND status = 'queued' RETURNING id`,
    [runId],
  );
  if (started.rowCount) await onRunStarted(client, runId);
  return true;
}

/** Progress while a node runs (row counts so far); readable by the UI at any time. */
export async function recordProgress(
  client: pg.ClientBase,
  runId: string,
  nodeId: string,
  progress: { rowsIn: number; rowsOut: number; rowsRejected: number },
): Promise<void> {
  await client.query(
    `UPDATE node_runs SET rows_in = $3, rows_out = $4, rows_rejected = $5 WHERE run_id = $1 AND node_id = $2`,
    [runId, nodeId, progress.rowsIn, progress.rowsOut, progress.rowsRejected],
  );
}

/**
 * Locks the run row and returns its status. Every transaction that changes a run's state
 * takes this lock before it touches any of the run's node_runs rows, so a cancel and a
 * node's job cannot wait on each other. NO KEY UPDATE lets the foreign keys of rows being
 * written for the run (quarantined records, node runs) through while it is held.
 */
async function lockRun(client: pg.ClientBase, runId: string): Promise<string | undefined> {
  const locked = await client.query<{ status: string }>("SELECT status FROM runs WHERE id = $1 FOR NO KEY UPDATE", [runId]);
  return locked.rows[0]?.status;
}

/** Closes the run once no node is queued or running. */
async function finishRunIfDone(client: pg.ClientBase, runId: string): Promise<void> {
  const finished = await client.query<{ status: "succeeded" | "failed" }>(
    `UPDATE runs r SET
        status = CASE WHEN EXISTS (SELECT 1 FROM node_runs f WHERE f.run_id = r.id AND f.status = 'failed')
                      THEN 'failed'::"RunStatus" ELSE 'succeeded'::"RunStatus" END,
        finished_at = clock_timestamp()
      WHERE r.id = $1 AND r.status IN ('queued', 'running')
        AND NOT EXISTS (SELECT 1 FROM node_runs n WHERE n.run_id = r.id AND n.status IN ('queued', 'running'))
      RETURNING r.status`,
    [runId],
  );
  const status = finished.rows[0]?.status;
  if (!status) return;
  await onRunFinished(client, runId, status);
}

/**
 * Marks a node succeeded and enqueues every consumer whose inputs have all succeeded.
 * Call inside the transaction that committed the node's output, so output and status
 * land together.
 */
export async function completeNode(
  client: pg.ClientBase,
  topology: RunTopology,
  runId: string,
  nodeId: string,
  result: NodeResult,
): Promise<void> {
  // A canceled run keeps none of the output its nodes were about to commit.
  if ((await lockRun(client, runId)) === "canceled") throw new RunCanceledError(runId);
  await client.query(
    `UPDATE node_runs SET status = 'succeeded', finished_at = clock_timestamp(), rows_in = $3, rows_out = $4,
            rows_rejected = $5, checksum = $6, logs = logs || $7::jsonb
      WHERE run_id = $1 AND node_id = $2`,
    [
      runId,
      nodeId,
      result.rowsIn,
      result.rowsOut,
      result.rowsRejected,
      result.checksum ?? null,
      logEntries("info", [...(result.logs ?? []), `succeeded: ${result.rowsIn} in, ${result.rowsOut} out, ${result.rowsRejected} rejected`]),
    ],
  );
  const consumers = topology.consumers(nodeId);
  if (consumers.length > 0) {
    const statuses = await client.query<{ node_id: string; status: string }>(
      "SELECT node_id, status FROM node_runs WHERE run_id = $1",
      [runId],
    );
    const statusOf = new Map(statuses.rows.map((r) => [r.node_id, r.status]));
    for (const consumerId of consumers) {
      if (statusOf.get(consumerId) !== "queued") continue;
      // An input with no node run is not part of this run (a re-ingest replays only part of the graph).
      if (topology.inputs(consumerId).every((input) => !statusOf.has(input) || statusOf.get(input) === "succeeded")) {
        await enqueueNode(client, runId, consumerId, topology.attempts(consumerId));
      }
    }
  }
  await finishRunIfDone(client, runId);
}

function descendants(topology: RunTopology, nodeId: string): string[] {
  const seen = new Set<string>();
  const stack = [...topology.consumers(nodeId)];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...topology.consumers(id));
  }
  return [...seen];
}

/**
 * Records a failed attempt. On the last attempt the node fails, everything downstream
 * is skipped, and the run fails with the node's error.
 */
export async function failNode(
  client: pg.ClientBase,
  topology: RunTopology,
  runId: string,
  nodeId: string,
  message: string,
  final: boolean,
): Promise<void> {
  if ((await lockRun(client, runId)) === "canceled") return;
  if (!final) {
    await client.query(
      `UPDATE node_runs SET error = $3, logs = logs || $4::jsonb WHERE run_id = $1 AND node_id = $2`,
      [runId, nodeId, message, logEntries("warn", [`attempt failed, will retry with backoff: ${message}`])],
    );
    return;
  }
  await client.query(
    `UPDATE node_runs SET status = 'failed', error = $3, finished_at = clock_timestamp(), logs = logs || $4::jsonb
      WHERE run_id = $1 AND node_id = $2`,
    [runId, nodeId, message, logEntries("error", [`failed: ${message}`])],
  );
  const skipped = descendants(topology, nodeId);
  if (skipped.length > 0) {
    await client.query(
      `UPDATE node_runs SET status = 'skipped', finished_at = clock_timestamp(), logs = logs || $3::jsonb
        WHERE run_id = $1 AND node_id = ANY($2::text[]) AND status = 'queued'`,
      [runId, skipped, logEntries("warn", [`skipped because ${nodeId} failed`])],
    );
  }
  await client.query(`UPDATE runs SET error = COALESCE(error, $2) WHERE id = $1`, [runId, `${nodeId}: ${message}`]);
  await finishRunIfDone(client, runId);
}

/**
 * Cancels a queued or running run: its unfinished nodes and the run become `canceled` at
 * once, queued node jobs are withdrawn, and queries working on the run's data are
 * cancelled in PostgreSQL (a running node job also sees its abort signal within about a
 * second, see jobs/cancellation.ts). Whatever a node had not committed is rolled back.
 * Returns false when the run had already finished.
 */
export async function cancelRun(client: pg.ClientBase, runId: string, reason: string): Promise<boolean> {
  const status = await lockRun(client, runId);
  if (status !== "queued" && status !== "running") return false;
  const unfinished = await client.query<{ node_id: string }>(
    `UPDATE node_runs SET status = 'canceled', finished_at = clock_timestamp(), logs = logs || $2::jsonb
      WHERE run_id = $1 AND status IN ('queued', 'running') RETURNING node_id`,
    [runId, logEntries("warn", [reason])],
  );
  await client.query(`UPDATE runs SET status = 'canceled', finished_at = clock_timestamp(), error = $2 WHERE id = $1`, [runId, reason]);
  for (const { node_id } of unfinished.rows) await client.query("SELECT graphile_worker.remove_job($1)", [nodeJobKey(runId, node_id)]);
  // Every statement on a run's data names its schema; stop the ones in flight.
  await client.query(
    `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND state = 'active' AND datname = current_database() AND strpos(query, $1) > 0`,
    [runSchemaName(runId)],
  );
  await onRunFinished(client, runId, "canceled");
  return true;
}

/**
 * Runs the failed nodes of a failed run again, and after them the nodes they skipped;
 * nodes that succeeded keep their output. Throws {@link RunStateError} unless the run failed.
 */
export async function retryFailedNodes(client: pg.ClientBase, topology: RunTopology, runId: string, actor: string): Promise<string[]> {
  const status = await lockRun(client, runId);
  if (status !== "failed") throw new RunStateError(`Only a failed run can have its failed nodes retried; this run is ${status ?? "gone"}`);
  const failed = await client.query<{ node_id: string }>(
    `UPDATE node_runs SET status = 'queued', error = NULL, finished_at = NULL, logs = logs || $2::jsonb
      WHERE run_id = $1 AND status = 'failed' RETURNING node_id`,
    [runId, logEntries("info", [`retried by ${actor}`])],
  );
  await client.query(
    `UPDATE node_runs SET status = 'queued', finished_at = NULL, logs = logs || $2::jsonb WHERE run_id = $1 AND status = 'skipped'`,
    [runId, logEntries("info", [`queued again: ${actor} retried the failed nodes`])],
  );
  await client.query(`UPDATE runs SET status = 'running', error = NULL, finished_at = NULL WHERE id = $1`, [runId]);
  const nodes = failed.rows.map((r) => r.node_id);
  for (const nodeId of nodes) await enqueueNode(client, runId, nodeId, topology.attempts(nodeId));
  await onRunStarted(client, runId);
  return nodes;
}
