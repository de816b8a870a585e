import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRun } from "../../services/runs";
import { createEngineEnvironment } from "../testing/engine-harness";

const RECORDS = 120_000;
const CHUNK_ROWS = 4_000;

/** Small chunks, so a kill lands between committed checkpoints; a dead worker's jobs are taken back quickly. */
const WORKER_SETTINGS = { SLUICE_CHUNK_ROWS: String(CHUNK_ROWS), SLUICE_WORKER_STALE_SECONDS: "2" };

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;

beforeAll(async () => {
  env = await createEngineEnvironment();
});
afterAll(() => env?.close());

/** Every 100th record is not an object, every 150th has an aqi that is not a number; station ids are unique. */
function generateArray(): { json: string; notObjects: number; badTypes: number } {
  const records: string[] = [];
  let notObjects = 0;
  let badTypes = 0;
  for (let i = 0; i < RECORDS; i++) {
    if (i % 100 === 0) {
      notObjects++;
      records.push(`["S${i}", ${i}]`);
    } else if (i % 150 === 1) {
      badTypes++;
      records.push(`{"station": "S${i}", "reading": {"aqi": "n/a"}}`);
    } else records.push(`{"station": "S${i}", "reading": {"aqi": ${i % 500}}, "at": "2026-01-01T00:00:00Z"}`);
  }
  return { json: `[\n${records.join(",\n")}\n]\n`, notObjects, badTypes };
}

describe("a worker killed while a JSON source streams", () => {
  it("is replaced by another that finishes the run with exactly the right rows", async () => {
    const { json, notObjects, badTypes } = generateArray();
    const file = await env.upload("big.json", json);
    const pipeline = await env.pipeline({
      nodes: [
        { id: "src", type: "source.json", config: { file: `upload:${file.id}`, columns: { "reading.aqi": "integer" } } },
        { id: "dst", type: "destination.postgres", config: { table: "stations_json", mode: "append" } },
      ],
      edges: [{ from: "src", to: "dst" }],
    });
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "api" });

    const first = env.startWorkerProcess(WORKER_SETTINGS);
    // Wait until a few chunks are committed but the file is not done, then kill -9.
    for (const deadline = Date.now() + 60_000; ; ) {
      const progress = await env.db.pool.query("SELECT rows_in::int AS n, status FROM node_runs WHERE run_id = $1 AND node_id = 'src'", [runId]);
      const { n, status } = progress.rows[0];
      if (n >= CHUNK_ROWS * 3 && status === "running") break;
      if (status !== "queued" && status !== "running") throw new Error(`the source finished (${status}) before it could be killed`);
      if (Date.now() > deadline) throw new Error("the first worker made no progress");
      await new Promise((r) => setTimeout(r, 20));
    }
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const midway = await env.db.pool.query("SELECT rows_in::int AS n, status FROM node_runs WHERE run_id = $1 AND node_id = 'src'", [runId]);
    expect(midway.rows[0].status).toBe("running");
    expect(midway.rows[0].n).toBeLessThan(RECORDS);

    env.startWorkerProcess(WORKER_SETTINGS);
    const run = await env.waitForRun(runId, 120_000);
    expect(run.status).toBe("succeeded");

    const good = RECORDS - notObjects - badTypes;
    const loaded = await env.db.pool.query(
      `SELECT count(*)::int AS rows, count(DISTINCT station)::int AS stations, count(DISTINCT split_part(_sluice_lineage_id, ':', 3))::int AS indexes FROM stations_json`,
    );
    expect(loaded.rows[0]).toEqual({ rows: good, stations: good, indexes: good });
    const quarantined = await env.db.pool.query(
      "SELECT count(*)::int AS rows, count(DISTINCT lineage_id)::int AS distinct_rows FROM quarantined_records WHERE run_id = $1",
      [runId],
    );
    expect(quarantined.rows[0]).toEqual({ rows: notObjects + badTypes, distinct_rows: notObjects + badTypes });
    expect(run.nodes.find((n) => n.nodeId === "src")).toMatchObject({
      rowsIn: BigInt(RECORDS),
      rowsOut: BigInt(good),
      rowsRejected: BigInt(notObjects + badTypes),
    });
  }, 240_000);
});
