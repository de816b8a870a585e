import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { searchQuarantine } from "./quarantine";
import { createSamplePipeline, SAMPLE_PIPELINE_NAME } from "./sample-pipeline";

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

it("loads the good weather readings and quarantines each broken one for the rule it breaks", async () => {
  const sample = await createSamplePipeline(env.ctx, "manual");
  const run = await env.waitForRun(sample.runId);
  expect(run.status).toBe("succeeded");
  expect(run.nodes.map((n) => [n.nodeId, Number(n.rowsIn), Number(n.rowsOut), Number(n.rowsRejected)])).toEqual([
    ["observations", 50, 50, 0],
    ["check", 50, 45, 5],
    ["load", 45, 45, 0],
  ]);

  const loaded = await env.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${sample.table}`);
  expect(loaded.rows[0]?.n).toBe(45);

  const quarantined = await searchQuarantine(env.ctx, { filter: { runId: sample.runId } });
  const broken = quarantined.records.map((r) => [r.record.station_name, r.errors.map((e) => `${e.field} ${e.rule}`)]);
  expect(broken).toEqual(
    expect.arrayContaining([
      ["Trondheim - Voll", ["station_id required"]],
      [expect.any(String), ["precipitation_mm min"]],
      ["Bergen - Florida", ["max_temp_c max"]],
      [expect.any(String), ["date type"]],
      [expect.any(String), ["wind_speed_ms type"]],
    ]),
  );
  expect(broken).toHaveLength(5);

  const pipelines = await env.ctx.prisma.pipeline.findMany({ where: { id: sample.pipelineId }, select: { name: true } });
  expect(pipelines).toEqual([{ name: SAMPLE_PIPELINE_NAME }]);
});

it("makes a separate pipeline and table each time, so a second sample leaves the first one's data alone", async () => {
  const first = await createSamplePipeline(env.ctx, "manual");
  const second = await createSamplePipeline(env.ctx, "api");
  expect(second.pipelineId).not.toBe(first.pipelineId);
  expect(second.table).not.toBe(first.table);
  for (const sample of [first, second]) expect((await env.waitForRun(sample.runId)).status).toBe("succeeded");
});
