/**
 * The node fixture harness for nodes that are not a SQL compile (see ./node-fixture.ts for
 * those): it runs a source or a destination through its runner the way a run does — a real
 * pipeline, started by the services and executed by a worker against real PostgreSQL — so
 * a runner's test reads as "these bytes in, these rows staged, these records quarantined"
 * or "these rows in, this table state, and the same after a rerun".
 *
 * A source runs as `source → destination.postgres (append)`; its result is what it staged.
 * A destination is fed by an NDJSON upload read by source.json with every column's type
 * set, so the rows reach it with the types the fixture gives them.
 *
 * Each test file gets its own environment and worker, started on the first fixture run and
 * stopped after the file's tests.
 */
import { afterAll } from "vitest";
import type { Column, NodeDefinition, TColumnType } from "@/nodes/contract";
import postgresDestination from "@/nodes/destinations/postgres";
import { ident, sql } from "@/nodes/sql";
import { query } from "../../db/query";
import jsonSource from "@/nodes/sources/json";
import { startWorker, type WorkerHandle } from "../../jobs/worker";
import { startRun } from "../../services/runs";
import { nodeRelation } from "../plan";
import type { TViolation } from "../staging/quarantine";
import { createEngineEnvironment } from "./engine-harness";
import type { FixtureInput } from "./node-fixture";

type Environment = Awaited<ReturnType<typeof createEngineEnvironment>>;

export interface SourceFixtureFile {
  filename: string;
  content: string | Buffer;
}

export interface RunFixtureResult {
  runId: string;
  status: string;
  error: string | null;
  /** The fixture node's counts. */
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
}

export interface SourceFixtureResult extends RunFixtureResult {
  /** The staged columns, in staging table order (the lineage column left out). */
  columns: string[];
  /** The staged rows by column name, in lineage ordinal order; values as PostgreSQL's text. */
  records: Record<string, string | null>[];
  /** Each staged row's lineage ordinal (a line, an index), parallel to `records`. */
  ordinals: number[];
  /** The records the source quarantined, in ordinal order. */
  quarantine: { ordinal: number; record: Record<string, unknown>; errors: TViolation[] }[];
}

export interface DestinationFixtureResult extends RunFixtureResult {
  /** The destination table after the run, by column name, sorted by every column; values as PostgreSQL's text. */
  records: Record<string, string | null>[];
  /** The lineage ordinal of the record each row came from, parallel to `records` (the fixture's row index, from 0). */
  ordinals: number[];
}

let started: Promise<{ env: Environment; worker: WorkerHandle }> | undefined;

afterAll(async () => {
  if (!started) return;
  const { env, worker } = await started;
  await worker.stop();
  await env.close();
});

async function environment(): Promise<Environment> {
  started ??= (async () => {
    // Tiny chunks, so a fixture's few records still commit several checkpoints.
    const env = await createEngineEnvironment({ SLUICE_CHUNK_ROWS: "2" });
    const worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
    return { env, worker };
  })();
  return (await started).env;
}

let pipelines = 0;

/** Every value as PostgreSQL's text, so expectations do not depend on pg's type parsing. */
const AS_TEXT = { getTypeParser: () => (value: string) => value };

/** Saves and runs a pipeline; returns the run and the counts of `nodeId`. */
async function runGraph(env: Environment, nodes: unknown[], edges: unknown[], nodeId: string): Promise<RunFixtureResult> {
  const pipeline = await env.pipeline({ nodes, edges }, `fixture ${++pipelines}`);
  const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
  return runResult(env, runId, nodeId);
}

async function runResult(env: Environment, runId: string, nodeId: string): Promise<RunFixtureResult> {
  const run = await env.waitForRun(runId);
  const node = run.nodes.find((n) => n.nodeId === nodeId);
  return {
    runId,
    status: run.status,
    error: run.error ?? node?.error ?? null,
    rowsIn: Number(node?.rowsIn ?? 0),
    rowsOut: Number(node?.rowsOut ?? 0),
    rowsRejected: Number(node?.rowsRejected ?? 0),
  };
}

function ordinalOf(lineageId: string, runId: string, nodeId: string): number {
  const prefix = `${runId}:${nodeId}:`;
  if (!lineageId.startsWith(prefix)) throw new Error(`The lineage id ${lineageId} is not one of node ${nodeId} in run ${runId}`);
  return Number(lineageId.slice(prefix.length).split(":")[0]);
}

/**
 * Runs the source `node` with `config` (its `file` set to the uploaded `file`, for a source
 * that reads one) and returns what it staged and quarantined. A run that fails returns its
 * error and no rows.
 */
export async function runSourceFixture(node: NodeDefinition, config: Record<string, unknown>, file?: SourceFixtureFile): Promise<SourceFixtureResult> {
  const env = await environment();
  const upload = file ? await env.upload(file.filename, file.content) : undefined;
  const table = `fixture_sink_${pipelines + 1}`;
  const result = await runGraph(
    env,
    [
      { id: "src", type: node.type, config: upload ? { ...config, file: `upload:${upload.id}` } : config },
      { id: "dst", type: postgresDestination.type, config: { table, mode: "append" } },
    ],
    [{ from: "src", to: "dst" }],
    "src",
  );
  const quarantined = await env.db.pool.query<{ lineage_id: string; record: Record<string, unknown>; errors: TViolation[] }>(
    "SELECT lineage_id, record, errors FROM quarantined_records WHERE run_id = $1",
    [result.runId],
  );
  const quarantine = quarantined.rows
    .map((r) => ({ ordinal: ordinalOf(r.lineage_id, result.runId, "src"), record: r.record, errors: r.errors }))
    .sort((a, b) => a.ordinal - b.ordinal);
  if (result.status !== "succeeded") return { ...result, columns: [], records: [], ordinals: [], quarantine };
  const staged = await query<Record<string, string | null>>(env.db.pool, sql`SELECT t.* FROM ${nodeRelation(result.runId, "src")} AS t`, { types: AS_TEXT });
  const columns = staged.fields.map((f) => f.name).filter((name) => name !== "_sluice_lineage_id");
  const rows = staged.rows
    .map((row) => ({ ordinal: ordinalOf(String(row._sluice_lineage_id), result.runId, "src"), record: Object.fromEntries(columns.map((c) => [c, row[c] ?? null])) }))
    .sort((a, b) => a.ordinal - b.ordinal);
  return { ...result, columns, records: rows.map((r) => r.record), ordinals: rows.map((r) => r.ordinal), quarantine };
}

/**
 * Loads `input` with the destination `node` and `config`, and returns the destination
 * table afterwards. Run it again with the same arguments to see what a rerun does.
 */
export async function runDestinationFixture(node: NodeDefinition, config: Record<string, unknown> & { table: string; schema?: string }, input: FixtureInput): Promise<DestinationFixtureResult> {
  const env = await environment();
  const ndjson = input.rows.map((row) => JSON.stringify(Object.fromEntries(input.columns.map((c, i) => [c.name, jsonValue(c, row[i])])))).join("\n");
  const upload = await env.upload("fixture-input.ndjson", `${ndjson}\n`);
  const columns = Object.fromEntries(input.columns.map((c): [string, TColumnType] => [c.name, c.type]));
  const result = await runGraph(
    env,
    [
      { id: "src", type: jsonSource.type, config: { file: `upload:${upload.id}`, format: "ndjson", flatten: false, columns } },
      { id: "dst", type: node.type, config },
    ],
    [{ from: "src", to: "dst" }],
    "dst",
  );
  const loaded = await query<Record<string, string | null>>(env.db.pool, sql`SELECT * FROM ${ident(config.schema ?? "public", config.table)}`, { types: AS_TEXT }).catch(() => null);
  if (!loaded) return { ...result, records: [], ordinals: [] };
  const names = loaded.fields.map((f) => f.name).filter((name) => !name.startsWith("_sluice_"));
  const rows = loaded.rows
    .map((row) => ({ record: Object.fromEntries(names.map((n) => [n, row[n] ?? null])), lineage: String(row._sluice_lineage_id) }))
    .sort((a, b) => {
      const left = JSON.stringify(Object.values(a.record));
      const right = JSON.stringify(Object.values(b.record));
      return left < right ? -1 : left > right ? 1 : 0;
    });
  // NDJSON lines count from 1; the fixture's rows from 0.
  return { ...result, records: rows.map((r) => r.record), ordinals: rows.map((r) => Number(r.lineage.split(":")[2]) - 1) };
}

function jsonValue(column: Column, value: unknown): unknown {
  if (value instanceof Date) return column.type === "date" ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === "bigint") return value.toString();
  return value ?? null;
}
