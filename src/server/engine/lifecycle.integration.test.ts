import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRun } from "../services/runs";
import { cancelRun, markNodeRunning } from "./lifecycle";
import { createEngineEnvironment } from "./testing/engine-harness";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;

beforeAll(async () => {
  env = await createEngineEnvironment();
});
afterAll(async () => {
  await env?.close();
});

async function waitingOnLock(pid: number): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const state = await env.db.pool.query<{ wait: string | null }>("SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1", [pid]);
    if (state.rows[0]?.wait === "Lock") return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`backend ${pid} never waited on a lock`);
}

describe("a node job starting while its run is being canceled", () => {
  it("waits for the cancel on the run row, touching no node run first, and then does not start", async () => {
    // No worker: the run stays queued until the test plays the node job's part itself.
    const pipeline = await env.loadPipeline("cancel_race");
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });

    const canceling = await env.db.pool.connect();
    const nodeJob = await env.db.pool.connect();
    try {
      await canceling.query("BEGIN");
      await canceling.query("SELECT status FROM runs WHERE id = $1 FOR NO KEY UPDATE", [runId]);

      const nodeJobPid = (await nodeJob.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      await nodeJob.query("BEGIN");
      const started = markNodeRunning(nodeJob, runId, "src", 1);
      await waitingOnLock(nodeJobPid);

      // The cancel goes on to the node runs: it would deadlock if the node job held one.
      await canceling.query("SET LOCAL lock_timeout = '5s'");
      expect(await cancelRun(canceling, runId, "canceled by test")).toBe(true);
      await canceling.query("COMMIT");

      expect(await started).toBe(false);
      await nodeJob.query("COMMIT");
    } finally {
      canceling.release();
      nodeJob.release();
    }
    const nodes = await env.db.pool.query<{ node_id: string; status: string }>("SELECT node_id, status FROM node_runs WHERE run_id = $1 ORDER BY node_id", [runId]);
    expect(nodes.rows).toEqual([
      { node_id: "dst", status: "canceled" },
      { node_id: "src", status: "canceled" },
    ]);
  });
});
