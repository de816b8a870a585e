import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRun } from "./runs";
import { createEngineEnvironment } from "./testing/engine-harness";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const ROWS = 120_000;
const CHUNK_ROWS = 4_000;

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  env = await createEngineEnvironment();
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill("SIGKILL");
  await env?.close();
});

/** A worker as `npm run worker` starts it, in its own process. */
function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts", "worker"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: env.db.url,
      SLUICE_DATA_DIR: env.dataDir,
      SLUICE_CHUNK_ROWS: String(CHUNK_ROWS),
      SLUICE_WORKER_STALE_SECONDS: "2",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  workers.push(child);
  return child;
}

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

    const first = startWorkerProcess();
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

    startWorkerProcess();
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
