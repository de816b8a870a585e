/**
 * What a node's job hands its runner, and the engine's part of running one: completing the
 * node in the transaction that did its work, finding its inputs, and staging a source in
 * checkpointed chunks ({@link stageSource}).
 */
import type pg from "pg";
import type { Column, CompileInput, TUploadOptions } from "@/nodes/contract";
import { uploadIdOf } from "@/nodes/pipeline";
import { sql, type Sql } from "@/nodes/sql";
import { settleQuarantine, withSettled } from "./quarantine-memory";
import { completeNode, recordProgress, type NodeResult, type RunTopology } from "./lifecycle";
import { keptRecordsRelation, nodeRelation, type ExecutionPlan, type PlannedNode } from "./plan";
import type { TReingestInstruction } from "./reingest";
import type { TStagedCounts } from "./staging/record-stager";
import { createKeptRecordsTable, createStagingTable, indexLineage, type TStagingRun } from "./staging/run";
import { NO_RULES } from "./validate/entry-config";
import { inTransaction, query, transaction, withConnection } from "../db/query";
import { readEnv } from "../env";
import type { TUploadCatalog, UploadCatalogEntry } from "./uploads-catalog";
import { uploadPath } from "../storage";

export interface NodeJob {
  pool: pg.Pool;
  plan: ExecutionPlan;
  topology: RunTopology;
  node: PlannedNode;
  runId: string;
  workspaceId: string;
  /**
   * Where a node's output lives. In a re-ingest run, nodes upstream of the entry node
   * did not run again: their output is read from the original run.
   */
  relationOf: (nodeId: string) => Sql;
  /** Set in a re-ingest run: the records to replay, the node they re-enter at, and the run they came from. */
  reingest?: TReingestInstruction & { parentRunId: string };
  /** Uploads the graph references, as inspected when they arrived. */
  upload: TUploadCatalog;
  signal?: AbortSignal;
}

/** Runs `work` and completes the node in the same transaction. */
export async function atomically(job: NodeJob, work: (client: pg.PoolClient) => Promise<NodeResult>): Promise<void> {
  await transaction(job.pool, async (client) => completeNode(client, job.topology, job.runId, job.node.id, await work(client)));
}

export function inputOf(job: NodeJob, port = "in"): CompileInput & { nodeId: string } {
  const upstreamId = job.node.inputs[port];
  const upstream = upstreamId ? job.plan.get(upstreamId) : undefined;
  if (!upstreamId || !upstream) throw new Error(`input "${port}" is not connected`);
  return { nodeId: upstreamId, relation: job.relationOf(upstreamId), columns: upstream.output };
}

/** The uploaded file a source's `file` names (`upload:<id>`), inspected with `options` when given (see TUploadOptions). */
export function sourceFile(job: NodeJob, file: string, options?: TUploadOptions): { path: string; upload: UploadCatalogEntry } {
  const uploadId = uploadIdOf(file);
  const upload = uploadId ? job.upload(uploadId, options) : undefined;
  if (!uploadId || !upload) throw new Error(`the file ${file} is not uploaded (or was deleted): upload it again`);
  if (upload.problem) throw new Error(`${upload.filename}: ${upload.problem}`);
  return { path: uploadPath(job.workspaceId, uploadId), upload };
}

/** How a source stages: the engine's part, the same for every source, is in {@link stageSource}. */
export interface TSourceStaging<TCheckpoint, TResult> {
  /** The staging table's columns. */
  load: readonly Column[];
  /** A validate node fused into the source: it owns the quarantined records, and shows progress too. */
  fusedValidate?: PlannedNode;
  /** The source cannot be read again: lineage reads its raw records from where the run keeps them (staging.keptRecords). Default: false. */
  keepsRecords?: boolean;
  /** The stored checkpoint, when staging can resume after it; null to start over. */
  resumable: (stored: unknown) => TCheckpoint | null;
  stage: (staging: TStagingRun<TCheckpoint>) => Promise<TResult>;
  /** What the node records when it completes, in the transaction that completes it. */
  complete: (result: TResult, client: pg.ClientBase) => NodeResult | Promise<NodeResult>;
}

/**
 * Stages a source on a dedicated connection and completes the node. A retried job
 * resumes after the last committed chunk while the staging table holds exactly the rows
 * its checkpoint counts; otherwise it starts over, with a new staging table and none of
 * the records it quarantined before.
 */
export async function stageSource<TCheckpoint extends TStagedCounts, TResult>(job: NodeJob, source: TSourceStaging<TCheckpoint, TResult>): Promise<void> {
  const { node, runId } = job;
  const validate = source.fusedValidate;
  const quarantineNodeId = validate?.id ?? node.id;
  const target = nodeRelation(runId, node.id);
  const kept = source.keepsRecords ? keptRecordsRelation(runId, node.id) : undefined;
  await withConnection(job.pool, async (client) => {
    const stored = await client.query<{ checkpoint: unknown }>("SELECT checkpoint FROM node_runs WHERE run_id = $1 AND node_id = $2", [runId, node.id]);
    let resumeFrom = source.resumable(stored.rows[0]?.checkpoint);
    if (resumeFrom) {
      // An unlogged table loses its rows if PostgreSQL itself crashed: then start over.
      const count = await query(client, sql`SELECT count(*)::int AS n FROM ${target}`).catch(() => null);
      if (count?.rows[0]?.n !== resumeFrom.rowsOut) resumeFrom = null;
    }
    if (!resumeFrom) {
      await inTransaction(client, async () => {
        await query(client, sql`DROP TABLE IF EXISTS ${target}`);
        await createStagingTable(client, target, source.load);
        if (kept) {
          await query(client, sql`DROP TABLE IF EXISTS ${kept}`);
          await createKeptRecordsTable(client, kept);
        }
        await client.query("DELETE FROM quarantined_records WHERE run_id = $1 AND node_id = $2", [runId, quarantineNodeId]);
        await client.query("UPDATE node_runs SET checkpoint = NULL WHERE run_id = $1 AND node_id = $2", [runId, node.id]);
      });
    }
    const result = await source.stage({
      client,
      target,
      lineagePrefix: `${runId}:${node.id}:`,
      quarantine: { workspaceId: job.workspaceId, runId, nodeId: quarantineNodeId },
      ...(kept ? { keptRecords: kept } : {}),
      resumeFrom,
      chunkRows: readEnv().SLUICE_CHUNK_ROWS,
      saveCheckpoint: async (c, checkpoint) => {
        await c.query("UPDATE node_runs SET checkpoint = $3 WHERE run_id = $1 AND node_id = $2", [runId, node.id, JSON.stringify(checkpoint)]);
        // Fused, the source passes every record on; its validate node counts the rejects.
        await recordProgress(c, runId, node.id, validate ? { rowsIn: checkpoint.rowsIn, rowsOut: checkpoint.rowsIn, rowsRejected: 0 } : checkpoint);
        if (validate) await recordProgress(c, runId, validate.id, checkpoint);
      },
      signal: job.signal,
    });
    await indexLineage(client, target, `${node.id}_lineage`);
    await inTransaction(client, async () => {
      const completed = await source.complete(result, client);
      // Fused, the validate node settles the records it owns, after its set rules.
      if (validate) return completeNode(client, job.topology, runId, node.id, completed);
      const settled = await settleQuarantine({ client, plan: job.plan, node, rules: NO_RULES, runId, workspaceId: job.workspaceId, target });
      return completeNode(client, job.topology, runId, node.id, withSettled(completed, settled));
    });
  });
}

/** An order-independent checksum of a materialized relation's rows. */
export async function tableChecksum(client: pg.ClientBase, relation: Sql): Promise<string> {
  // sum(bigint) is numeric: reduce it modulo 2^64, then read it as a two's complement bigint for to_hex.
  const result = await query(
    client,
    sql`SELECT lpad(to_hex((CASE WHEN m >= 9223372036854775808 THEN m - 18446744073709551616 ELSE m END)::bigint), 16, '0') AS sum
        FROM (SELECT mod(mod(COALESCE(sum(hashtextextended(t::text, 0)), 0), 18446744073709551616) + 18446744073709551616, 18446744073709551616) AS m
              FROM ${relation} AS t) AS s`,
  );
  return String(result.rows[0]?.sum);
}
