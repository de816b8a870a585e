import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { DependencyCycleError } from "../errors";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { getDependencies, setDependencies } from "./dependencies";
import { startRun } from "./runs";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;

beforeAll(async () => {
  env = await createEngineEnvironment();
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

function pipeline(name: string) {
  return env.loadPipeline(name, "id\n1\n", { attempts: 1 });
}

async function runsOf(pipelineId: string) {
  return env.ctx.prisma.run.findMany({ where: { pipelineId }, orderBy: { createdAt: "asc" } });
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until nothing is queued or running in the workspace and no run-finished job is waiting. */
async function settled() {
  await until(async () => {
    const busy = await env.db.pool.query(
      `SELECT 1 FROM runs WHERE status IN ('queued', 'running')
       UNION ALL SELECT 1 FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'run-finished'`,
    );
    return busy.rowCount === 0 ? true : undefined;
  }, "runs to settle");
}

describe("pipeline dependencies", () => {
  it("run B when A succeeds, and not when A fails", async () => {
    const a = await pipeline("dep_a");
    const b = await pipeline("dep_b");
    await setDependencies(env.ctx, b.id, { upstreamIds: [a.id] });
    expect(await getDependencies(env.ctx, a.id)).toMatchObject({ upstreams: [], downstreams: [{ id: b.id, name: "dep_b" }] });

    const { runId } = await startRun(env.ctx, { pipelineId: a.id, trigger: "manual" });
    await env.waitForRun(runId);
    const started = await until(async () => (await runsOf(b.id))[0], "B to start");
    expect(started).toMatchObject({ trigger: "dependency", triggeredByRunId: runId });
    expect((await env.waitForRun(started.id)).status).toBe("succeeded");

    // A fails the next time (its table now refuses the load): B does not run.
    await env.db.pool.query("ALTER TABLE dep_a ADD CONSTRAINT refuse_all CHECK (id < 0) NOT VALID");
    const failing = await startRun(env.ctx, { pipelineId: a.id, trigger: "manual" });
    expect((await env.waitForRun(failing.runId)).status).toBe("failed");
    await settled();
    expect(await runsOf(b.id)).toHaveLength(1);
  });

  it("with mode all, runs D once A and C have both succeeded since D last ran", async () => {
    const a = await pipeline("all_a");
    const c = await pipeline("all_c");
    const d = await pipeline("all_d");
    await setDependencies(env.ctx, d.id, { upstreamIds: [a.id, c.id], mode: "all" });

    await env.waitForRun((await startRun(env.ctx, { pipelineId: a.id, trigger: "manual" })).runId);
    await settled();
    expect(await runsOf(d.id)).toHaveLength(0);

    await env.waitForRun((await startRun(env.ctx, { pipelineId: c.id, trigger: "manual" })).runId);
    const first = await until(async () => (await runsOf(d.id))[0], "D to start");
    await env.waitForRun(first.id);
    await settled();

    // A again: C has not succeeded since D ran, so D waits.
    await env.waitForRun((await startRun(env.ctx, { pipelineId: a.id, trigger: "manual" })).runId);
    await settled();
    expect(await runsOf(d.id)).toHaveLength(1);
  });

  it("refuses a cycle, naming the pipelines around it", async () => {
    const x = await pipeline("cycle_x");
    const y = await pipeline("cycle_y");
    const z = await pipeline("cycle_z");
    await setDependencies(env.ctx, y.id, { upstreamIds: [x.id] });
    await setDependencies(env.ctx, z.id, { upstreamIds: [y.id] });
    const attempt = setDependencies(env.ctx, x.id, { upstreamIds: [z.id] });
    await expect(attempt).rejects.toBeInstanceOf(DependencyCycleError);
    await expect(setDependencies(env.ctx, x.id, { upstreamIds: [z.id] })).rejects.toThrow("cycle_x → cycle_z → cycle_y → cycle_x");
    await expect(setDependencies(env.ctx, x.id, { upstreamIds: [x.id] })).rejects.toThrow(/cycle_x → cycle_x/);
    expect((await getDependencies(env.ctx, x.id)).upstreams).toEqual([]);
  });
});
