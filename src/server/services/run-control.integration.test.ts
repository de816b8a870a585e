import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { RunStateError } from "../errors";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { cancelRun, getRun, retryFailedRunNodes, startRun } from "./runs";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;

beforeAll(async () => {
  // Small chunks: a big file commits many times, so a cancel lands between chunks too.
  env = await createEngineEnvironment({ SLUICE_CHUNK_ROWS: "5000" });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function bigCsv(rows: number): string {
  const lines = ["id,name,amount"];
  for (let i = 0; i < rows; i++) lines.push(`${i},customer ${i} with a name long enough to take some time,${i % 1000}`);
  return lines.join("\n");
}

describe("cancelling a run", () => {
  it("stops its running node within seconds, keeps no partial output, and ends the run and its unfinished nodes canceled", async () => {
    const file = await env.upload("big.csv", bigCsv(400_000));
    const pipeline = await env.pipeline({
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "dst", type: "destination.postgres", config: { table: "canceled_load", mode: "append" } },
      ],
      edges: [{ from: "src", to: "dst" }],
    });
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    await until("the source to be streaming", async () => {
      const run = await getRun(env.ctx, runId);
      return run.nodes.find((n) => n.nodeId === "src" && n.status === "running" && n.rowsIn > 0n);
    });

    expect(await cancelRun(env.ctx, runId)).toEqual({ runId, status: "canceled" });
    const run = await getRun(env.ctx, runId);
    expect(run.status).toBe("canceled");
    expect(run.error).toBe("canceled by test");
    expect(run.nodes.map((n) => [n.nodeId, n.status])).toEqual([
      ["src", "canceled"],
      ["dst", "canceled"],
    ]);

    // The node job lets go of its job and its connection: nothing keeps working on the run's data.
    await until("the node job to stop", async () => {
      const jobs = await env.db.pool.query("SELECT 1 FROM graphile_worker._private_jobs WHERE key LIKE $1", [`run:${runId}:%`]);
      const busy = await env.db.pool.query("SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND strpos(query, $1) > 0", [`sluice_run_${runId.replaceAll("-", "")}`]);
      return jobs.rowCount === 0 && busy.rowCount === 0;
    }, 15_000);
    const destination = await env.db.pool.query("SELECT to_regclass('public.canceled_load') AS t");
    expect(destination.rows[0].t).toBeNull();
    // Canceled stays canceled: the stopped job did not mark anything failed or succeeded afterwards.
    expect((await getRun(env.ctx, runId)).nodes.map((n) => n.status)).toEqual(["canceled", "canceled"]);
  });

  it("refuses to cancel a run that has finished", async () => {
    const pipeline = await env.loadPipeline("finished_load");
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    await env.waitForRun(runId);
    await expect(cancelRun(env.ctx, runId)).rejects.toThrow(RunStateError);
    await expect(cancelRun(env.ctx, runId)).rejects.toThrow(/already finished \(succeeded\)/);
  });
});

describe("retrying the failed nodes of a failed run", () => {
  it("runs only the failed node and what it skipped; nodes that succeeded keep their output", async () => {
    await env.db.pool.query("CREATE TABLE retry_target (id bigint, amount bigint CHECK (amount < 100), _sluice_lineage_id text, _sluice_run_id uuid)");
    const pipeline = await env.loadPipeline("retry_target", "id,amount\n1,10\n2,250\n", { attempts: 1 });
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    const failed = await env.waitForRun(runId);
    expect(failed.status).toBe("failed");
    const sourceFinished = failed.nodes.find((n) => n.nodeId === "src")!.finishedAt;

    await env.db.pool.query("ALTER TABLE retry_target DROP CONSTRAINT retry_target_amount_check");
    expect(await retryFailedRunNodes(env.ctx, runId)).toEqual({ runId, nodes: ["dst"] });
    const retried = await env.waitForRun(runId);
    expect(retried.error).toBeNull();
    expect(retried.status).toBe("succeeded");
    expect(retried.nodes.find((n) => n.nodeId === "src")!.finishedAt).toEqual(sourceFinished);
    expect(retried.nodes.find((n) => n.nodeId === "dst")).toMatchObject({ status: "succeeded", rowsOut: 2n });
    const loaded = await env.db.pool.query("SELECT count(*)::int AS n FROM retry_target");
    expect(loaded.rows[0].n).toBe(2);
    await expect(retryFailedRunNodes(env.ctx, runId)).rejects.toThrow(RunStateError);
    await expect(retryFailedRunNodes(env.ctx, runId)).rejects.toThrow(/Only a failed run .* this run is succeeded/);
  });
});
