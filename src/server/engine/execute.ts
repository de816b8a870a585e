/**
 * What each kind of node does inside its job. Sources stream in chunks that commit
 * with checkpoints; every other node does its work and marks itself done in one
 * transaction, so a crash at any point leaves either nothing or everything.
 */
import type pg from "pg";
import { z } from "zod";
import type { Column, CompileInput } from "@/nodes/contract";
import { uploadIdOf } from "@/nodes/pipeline";
import { sql, type Sql } from "@/nodes/sql";
import { compileFieldChecks } from "@/nodes/validate/rules";
import postgresDestination from "@/nodes/destinations/postgres";
import csvSource from "@/nodes/sources/csv";
import { typeIsInferred } from "@/nodes/sources/file-source";
import jsonSource, { ZJsonFormat } from "@/nodes/sources/json";
import validateNode from "@/nodes/validate/validate";
import { csvFormatOf } from "./csv-format";
import { stageCsv, ZCsvCheckpoint, type TFieldCheck, type TLoadColumn } from "./csv/stage";
import { loadPostgres } from "./destinations/postgres";
import { stageJson, ZJsonCheckpoint } from "./json";
import { completeNode, recordProgress, type NodeResult, type RunTopology } from "./lifecycle";
import { nodeRelation, type ExecutionPlan, type PlannedNode } from "./plan";
import { executeReingestEntry, type TReingestInstruction } from "./reingest";
import type { TStagedCounts } from "./staging/record-stager";
import { createStagingTable, indexLineage, type TStagingRun } from "./staging/stage-file";
import { applySetRules, validateInSql } from "./validate/validate-in-sql";
import { inTransaction, query, transaction, withConnection } from "../db/query";
import { readEnv } from "../env";
import type { UploadCatalogEntry } from "./uploads-catalog";
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
  upload: (uploadId: string) => UploadCatalogEntry | undefined;
  signal?: AbortSignal;
}

/** Runs `work` and completes the node in the same transaction. */
async function atomically(job: NodeJob, work: (client: pg.PoolClient) => Promise<NodeResult>): Promise<void> {
  await transaction(job.pool, async (client) => completeNode(client, job.topology, job.runId, job.node.id, await work(client)));
}

function inputOf(job: NodeJob, port = "in"): CompileInput & { nodeId: string } {
  const upstreamId = job.node.inputs[port];
  const upstream = upstreamId ? job.plan.get(upstreamId) : undefined;
  if (!upstreamId || !upstream) throw new Error(`input "${port}" is not connected`);
  return { nodeId: upstreamId, relation: job.relationOf(upstreamId), columns: upstream.output };
}

async function upstreamRowsOut(client: pg.ClientBase, job: NodeJob): Promise<number> {
  const result = await client.query<{ rows: string | null }>(
    "SELECT sum(rows_out)::text AS rows FROM node_runs WHERE run_id = $1 AND node_id = ANY($2::text[])",
    [job.runId, Object.values(job.node.inputs)],
  );
  return Number(result.rows[0]?.rows ?? 0);
}

/** Stats a fused source leaves for its validate node, in its final checkpoint. */
const ZFusedStats = ZCsvCheckpoint.extend({ done: z.literal(true) });

// ─── sources ──────────────────────────────────────────────────────────────────────────────

/** The uploaded file a source's `file` names (`upload:<id>`). */
function sourceFile(job: NodeJob, file: string): { path: string; upload: UploadCatalogEntry } {
  const uploadId = uploadIdOf(file);
  const upload = uploadId ? job.upload(uploadId) : undefined;
  if (!uploadId || !upload) throw new Error(`the file ${file} is not uploaded (or was deleted): upload it again`);
  return { path: uploadPath(job.workspaceId, uploadId), upload };
}

/** How a file source stages: the engine's part, the same for every format, is in {@link stageSource}. */
interface TSourceStaging<TCheckpoint, TResult> {
  /** The staging table's columns. */
  load: readonly Column[];
  /** A validate node fused into the source: it owns the quarantined records, and shows progress too. */
  fusedValidate?: PlannedNode;
  /** The stored checkpoint, when staging can resume after it; null to start over. */
  resumable: (stored: unknown) => TCheckpoint | null;
  stage: (staging: TStagingRun<TCheckpoint>) => Promise<TResult>;
  /** What the node records when it completes, in the transaction that completes it. */
  complete: (result: TResult, client: pg.ClientBase) => NodeResult | Promise<NodeResult>;
}

/**
 * Stages a file source on a dedicated connection and completes the node. A retried job
 * resumes after the last committed chunk while the staging table holds exactly the rows
 * its checkpoint counts; otherwise it starts over, with a new staging table and none of
 * the records it quarantined before.
 */
async function stageSource<TCheckpoint extends TStagedCounts, TResult>(job: NodeJob, source: TSourceStaging<TCheckpoint, TResult>): Promise<void> {
  const { node, runId } = job;
  const validate = source.fusedValidate;
  const quarantineNodeId = validate?.id ?? node.id;
  const target = nodeRelation(runId, node.id);
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
        await client.query("DELETE FROM quarantined_records WHERE run_id = $1 AND node_id = $2", [runId, quarantineNodeId]);
        await client.query("UPDATE node_runs SET checkpoint = NULL WHERE run_id = $1 AND node_id = $2", [runId, node.id]);
      });
    }
    const result = await source.stage({
      client,
      target,
      lineagePrefix: `${runId}:${node.id}:`,
      quarantine: { workspaceId: job.workspaceId, runId, nodeId: quarantineNodeId },
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
    await inTransaction(client, async () => completeNode(client, job.topology, runId, node.id, await source.complete(result, client)));
  });
}

async function executeCsvSource(job: NodeJob): Promise<void> {
  const { node, runId } = job;
  const config = csvSource.config.parse(node.config);
  const file = sourceFile(job, config.file);
  const fileColumns = file.upload.columns.map((c) => c.name);
  const format = csvFormatOf(config, file.upload);

  const validate = node.fusedValidate ? job.plan.get(node.fusedValidate) : undefined;
  const loadColumns = validate ? validate.output : node.output;
  const load: TLoadColumn[] = loadColumns.map((c) => {
    const sourceIndex = fileColumns.indexOf(c.name);
    if (sourceIndex < 0) throw new Error(`the file has no column "${c.name}" any more: it was replaced since the pipeline was saved`);
    return { name: c.name, type: c.type, sourceIndex, exact: typeIsInferred(c, file.upload.columns, config.columns) };
  });
  const fieldChecks = new Map<number, TFieldCheck[]>();
  const rejectNonEmpty: number[] = [];
  if (validate) {
    const validateConfig = validateNode.config.parse(validate.config);
    const rules = validateConfig.rules;
    load.forEach((column, index) => {
      const rule = rules.find((r) => r.field === column.name);
      if (rule) fieldChecks.set(index, compileFieldChecks(rule, column.type));
    });
    if (validateConfig.unknownFields === "reject") {
      const ruled = new Set(rules.map((r) => r.field));
      fileColumns.forEach((name, index) => {
        if (!ruled.has(name)) rejectNonEmpty.push(index);
      });
    }
  }

  await stageSource(job, {
    load,
    fusedValidate: validate,
    resumable: (stored) => (stored ? ZCsvCheckpoint.parse(stored) : null),
    stage: (staging) => stageCsv({ ...staging, filePath: file.path, format, fileColumns, load, fieldChecks, rejectNonEmpty }),
    complete: async (result, client) => {
      if (validate) {
        const final = await client.query<{ checkpoint: unknown }>("SELECT checkpoint FROM node_runs WHERE run_id = $1 AND node_id = $2", [runId, node.id]);
        await client.query("UPDATE node_runs SET checkpoint = $3 WHERE run_id = $1 AND node_id = $2", [
          runId,
          node.id,
          JSON.stringify({ ...ZCsvCheckpoint.parse(final.rows[0]?.checkpoint ?? { ...result, byteOffset: 0, line: 1 }), ...result, done: true }),
        ]);
      }
      // Fused, the source hands every record to its validate node, which accounts for the rejects.
      const counts = validate
        ? { rowsIn: result.rowsIn, rowsOut: result.rowsIn, rowsRejected: 0, checksum: null }
        : { ...result };
      return { ...counts, logs: [`read ${result.rowsIn} records from the file; ${result.rowsOut} staged, ${result.rowsRejected} quarantined`] };
    },
  });
}

async function executeJsonSource(job: NodeJob): Promise<void> {
  const config = jsonSource.config.parse(job.node.config);
  const file = sourceFile(job, config.file);
  const detected = ZJsonFormat.safeParse(file.upload.format.format);
  const format = config.format ?? (detected.success ? detected.data : undefined);
  if (!format) throw new Error(`${file.upload.filename} was not inspected as JSON when it was uploaded: upload it again, or set the format`);
  const load = job.node.output.map((c) => ({ name: c.name, type: c.type, exact: typeIsInferred(c, file.upload.columns, config.columns) }));

  await stageSource(job, {
    load,
    resumable: (stored) => {
      const parsed = ZJsonCheckpoint.safeParse(stored);
      return parsed.success && parsed.data.format === format ? parsed.data : null;
    },
    stage: (staging) => stageJson({ ...staging, filePath: file.path, format, flatten: config.flatten ?? true, load }),
    complete: (result) => {
      const logs = [`read ${result.rowsIn} records from the file (${format}); ${result.rowsOut} staged, ${result.rowsRejected} quarantined`];
      if (result.ignoredFields > 0) {
        logs.push(
          `${result.ignoredFields} field values were not columns of this source and were not loaded (e.g. ${result.ignoredExamples.join(", ")}); ` +
            "add them under Column types to read them",
        );
      }
      return { rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsRejected: result.rowsRejected, checksum: result.checksum, logs };
    },
  });
}

// ─── validate ─────────────────────────────────────────────────────────────────────────────

async function executeValidate(job: NodeJob): Promise<void> {
  const { node, runId } = job;
  const config = validateNode.config.parse(node.config);
  const target = nodeRelation(runId, node.id);
  const quarantine = { workspaceId: job.workspaceId, runId, nodeId: node.id };
  if (node.fusedInto) {
    const source = nodeRelation(runId, node.fusedInto);
    await atomically(job, async (client) => {
      const stored = await client.query<{ checkpoint: unknown }>("SELECT checkpoint FROM node_runs WHERE run_id = $1 AND node_id = $2", [runId, node.fusedInto]);
      const stats = ZFusedStats.parse(stored.rows[0]?.checkpoint);
      const rowsRejected = await applySetRules({ client, table: source, config, quarantine });
      await query(client, sql`DROP VIEW IF EXISTS ${target}`);
      await query(client, sql`CREATE VIEW ${target} AS SELECT * FROM ${source}`);
      return {
        rowsIn: stats.rowsIn,
        rowsOut: stats.rowsOut - rowsRejected,
        rowsRejected: stats.rowsRejected + rowsRejected,
        checksum: rowsRejected === 0 ? stats.checksum : null,
        logs: [`per-field rules checked while the file streamed; ${rowsRejected} more rejected by unique/reference rules`],
      };
    });
    return;
  }
  await atomically(job, async (client) => {
    await query(client, sql`DROP TABLE IF EXISTS ${target}`);
    await client.query("DELETE FROM quarantined_records WHERE run_id = $1 AND node_id = $2", [runId, node.id]);
    const result = await validateInSql({ client, input: inputOf(job), config, target, quarantine });
    return { ...result, checksum: await tableChecksum(client, target) };
  });
}

// ─── SQL transforms ───────────────────────────────────────────────────────────────────────

/** An order-independent checksum of a materialized relation's rows. */
async function tableChecksum(client: pg.ClientBase, relation: Sql): Promise<string> {
  // sum(bigint) is numeric: reduce it modulo 2^64, then read it as a two's complement bigint for to_hex.
  const result = await query(
    client,
    sql`SELECT lpad(to_hex((CASE WHEN m >= 9223372036854775808 THEN m - 18446744073709551616 ELSE m END)::bigint), 16, '0') AS sum
        FROM (SELECT mod(mod(COALESCE(sum(hashtextextended(t::text, 0)), 0), 18446744073709551616) + 18446744073709551616, 18446744073709551616) AS m
              FROM ${relation} AS t) AS s`,
  );
  return String(result.rows[0]?.sum);
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

// ─── destinations ─────────────────────────────────────────────────────────────────────────

async function executePostgresDestination(job: NodeJob): Promise<void> {
  await atomically(job, async (client) => {
    const result = await loadPostgres({ client, input: inputOf(job), config: postgresDestination.config.parse(job.node.config), runId: job.runId, nodeId: job.node.id, signal: job.signal });
    return {
      rowsIn: result.rowsIn,
      rowsOut: result.rowsWritten + result.rowsUnchanged,
      rowsRejected: 0,
      logs: [...result.log, `${result.rowsWritten} rows written, ${result.rowsUnchanged} already up to date`],
    };
  });
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
        target: nodeRelation(job.runId, job.node.id),
      }),
    );
  }
  switch (definition.execution.kind) {
    case "source":
      if (definition.type === "source.csv") return executeCsvSource(job);
      if (definition.type === "source.json") return executeJsonSource(job);
      break;
    case "validate":
      return executeValidate(job);
    case "sql":
      return executeSql(job);
    case "destination":
      if (definition.type === "destination.postgres") return executePostgresDestination(job);
      break;
  }
  throw new Error(`this worker cannot execute ${definition.type} nodes`);
}
