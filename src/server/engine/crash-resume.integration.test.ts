import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRun } from "../services/runs";
import { createEngineEnvironment } from "./testing/engine-harness";

const ROWS = 120_000;
const CHUNK_ROWS = 4_000;

/** Small chunks, so a kill lands between committed checkpoints; a dead worker's jobs are taken back quickly. */
const WORKER_SETTINGS = { SLUICE_CHUNK_ROWS: String(CHUNK_ROWS), SLUICE_WORKER_STALE_SECONDS: "2" };

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;

beforeAll(async () => {
  env = await createEngineEnvironment();
});
afterAll(() => env?.close());

/** Every 100th row has an aqi out of range; station ids are unique, so each good row loads once. */
function generateCsv(): { csv: string; bad: number } {
  const lines = ["station,aqi,measured_at"];
  let bad = 0;
  for (let i = 1; i <= ROWS; i++) {
    const outOfRange = i % 100 === 0;
    if (outOfRange) bad++;
    lines.push(`S${i},${outOfRange ? 900 : i % 500},2026-01-01T00:00:00Z`);
  }
  return { csv: lines.join("\n") + "\n", bad };
}

describe("a worker killed mid-run", () => {
  it("is replaced by another that finishes the run with exactly the right rows", async () => {
    const { csv, bad } = generateCsv();
    const file = await env.upload("big.csv", csv);
    const pipeline = await env.pipeline({
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "val", type: "validate", config: { rules: [{ field: "aqi", type: "integer", min: 0, max: 500 }] } },
        { id: "dst", type: "destination.postgres", config: { table: "stations", mode: "append" } },
      ],
      edges: [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ],
    });
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "api" });

    const first = env.startWorkerProcess(WORKER_SETTINGS);
    // Wait until a few chunks are committed but the file is not done, then kill -9.
    for (const deadline = Date.now() + 180_000; ; ) {
      const progress = await env.db.pool.query(
        "SELECT rows_in::int AS n, status FROM node_runs WHERE run_id = $1 AND node_id = 'src'",
        [runId],
      );
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
    expect(midway.rows[0].n).toBeLessThan(ROWS);

    env.startWorkerProcess(WORKER_SETTINGS);
    const run = await env.waitForRun(runId, 120_000);
    expect(run.status).toBe("succeeded");

    const loaded = await env.db.pool.query("SELECT count(*)::int AS rows, count(DISTINCT station)::int AS stations FROM stations");
    expect(loaded.rows[0]).toEqual({ rows: ROWS - bad, stations: ROWS - bad });
    const quarantined = await env.db.pool.query(
      "SELECT count(*)::int AS rows, count(DISTINCT lineage_id)::int AS distinct_rows FROM quarantined_records WHERE run_id = $1",
      [runId],
    );
    expect(quarantined.rows[0]).toEqual({ rows: bad, distinct_rows: bad });
    const validate = run.nodes.find((n) => n.nodeId === "val")!;
    expect(validate).toMatchObject({ rowsIn: BigInt(ROWS), rowsOut: BigInt(ROWS - bad), rowsRejected: BigInt(bad) });
  }, 240_000);
});
