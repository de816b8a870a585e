import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { setSchedule } from "../services/schedules";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;

beforeAll(async () => {
  env = await createEngineEnvironment();
});
afterAll(async () => {
  await env?.close();
});

function collectStderr(worker: ChildProcess): () => string {
  let text = "";
  worker.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

const PIPELINES = 8;
const MISSED_MINUTES = 6;

describe("one scheduler for all workers", () => {
  it("two worker processes catching up the same missed fire times start each run exactly once", async () => {
    const pipelineIds: string[] = [];
    for (let i = 0; i < PIPELINES; i++) {
      const pipeline = await env.loadPipeline(`every_minute_${i}`);
      // Queued overlap gives each fire time its own run, so runs count fires.
      await setSchedule(env.ctx, pipeline.id, { cron: "* * * * *", timezone: "UTC", overlap: "queue", catchUp: "all" });
      pipelineIds.push(pipeline.id);
    }
    // As if no worker had been up for the last minutes: every schedule is behind.
    const behind = await env.db.pool.query<{ due: Date }>(
      `UPDATE pipeline_schedules SET next_fire_at = date_trunc('minute', now()) - make_interval(mins => $1) RETURNING next_fire_at AS due`,
      [MISSED_MINUTES],
    );
    const due = behind.rows[0]!.due;

    const workers = [0, 1].map(() => env.startWorkerProcess({ SLUICE_SCHEDULER_TICK_MS: "150", SLUICE_WORKER_CONCURRENCY: "2" }));
    const stderr = workers.map(collectStderr);

    const expectedAtLeast = MISSED_MINUTES + 1;
    const deadline = Date.now() + 60_000;
    let counts: { pipeline_id: string; runs: number; fire_times: number; first: Date; last: Date }[] = [];
    for (;;) {
      const result = await env.db.pool.query<{ pipeline_id: string; runs: number; fire_times: number; first: Date; last: Date }>(
        `SELECT pipeline_id, count(*)::int AS runs, count(DISTINCT scheduled_for)::int AS fire_times, min(scheduled_for) AS first, max(scheduled_for) AS last
           FROM runs WHERE trigger = 'schedule' GROUP BY pipeline_id`,
      );
      counts = result.rows;
      if (counts.length === PIPELINES && counts.every((c) => c.runs >= expectedAtLeast)) break;
      if (Date.now() > deadline) throw new Error(`fires still missing after 60 s: ${JSON.stringify(counts)}\n${stderr.map((s) => s()).join("\n")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const worker of workers) worker.kill("SIGKILL");

    for (const count of counts) {
      expect(pipelineIds).toContain(count.pipeline_id);
      expect(count.first).toEqual(due);
      // One run per fire time, and fire times one minute apart with none missing.
      expect(count.fire_times).toBe(count.runs);
      expect((count.last.getTime() - count.first.getTime()) / 60_000 + 1).toBe(count.runs);
    }
    const logs = stderr.map((s) => s()).join("\n");
    expect(logs).not.toMatch(/had already started|tick failed/);
  });
});
