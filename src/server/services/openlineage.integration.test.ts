import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { openLineageValidator } from "../openlineage/testing/validator";
import { startHttpReceiver } from "../testing/http-receiver";
import { cancelRun, startRun } from "./runs";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;
let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
const validator = openLineageValidator();

interface Event {
  eventType: string;
  run: { runId: string; facets: Record<string, Record<string, unknown>> };
  job: { namespace: string; name: string };
  inputs: { name: string; facets: Record<string, Record<string, unknown>>; inputFacets?: Record<string, Record<string, unknown>> }[];
  outputs: { name: string; facets: Record<string, Record<string, unknown>>; outputFacets?: Record<string, Record<string, unknown>> }[];
}

beforeAll(async () => {
  receiver = await startHttpReceiver();
  env = await createEngineEnvironment({ OPENLINEAGE_URL: receiver.url, OPENLINEAGE_API_KEY: "lineage-key", SLUICE_PUBLIC_URL: "https://sluice.example.com" });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
  await receiver?.close();
  for (const key of ["OPENLINEAGE_URL", "OPENLINEAGE_API_KEY", "SLUICE_PUBLIC_URL"]) delete process.env[key];
});

/** The run's events once its last one (COMPLETE, FAIL or ABORT) has arrived: a START alone may come first. */
async function eventsOf(runId: string): Promise<Event[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const events = receiver.received.map((r) => JSON.parse(r.body) as Event).filter((e) => e.run.runId === runId);
    if (events.some((e) => ["COMPLETE", "FAIL", "ABORT"].includes(e.eventType))) return events;
    if (Date.now() > deadline) throw new Error(`no COMPLETE, FAIL or ABORT among the ${events.length} events of run ${runId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const CSV = "station,aqi\nOSL01,42\nOSL02,999\nBGO01,abc\nTRD01,17\n";

async function airQuality(table: string) {
  const file = await env.upload("air.csv", CSV);
  return env.pipeline(
    {
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "val", type: "validate", config: { rules: [{ field: "aqi", type: "integer", required: true, max: 500 }] } },
        { id: "dst", type: "destination.postgres", config: { table, mode: "append" }, retry: { attempts: 1 } },
      ],
      edges: [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ],
    },
    "Air quality",
  );
}

describe("OpenLineage events", () => {
  it("a successful run emits START and COMPLETE, valid against the 2-0-2 schema, with datasets, statistics and quality facets", async () => {
    const pipeline = await airQuality("ol_air");
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    await env.waitForRun(runId);
    const events = await eventsOf(runId);
    expect(events.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
    for (const event of events) expect(validator.problems(event as unknown as Record<string, unknown>)).toEqual([]);
    expect(receiver.received.at(-1)?.headers.authorization).toBe("Bearer lineage-key");
    expect(receiver.received.at(-1)?.path).toBe("/api/v1/lineage");

    const complete = events[1]!;
    expect(complete.job).toMatchObject({ namespace: "sluice/Default workspace", name: "Air quality" });
    expect(complete.inputs).toHaveLength(1);
    expect(complete.inputs[0]!.name).toMatch(/^air\.csv \(/);
    // "abc" in the file makes the source read aqi as text; the validate node checks it is an integer.
    expect(complete.inputs[0]!.facets.schema?.fields).toEqual([
      { name: "station", type: "string" },
      { name: "aqi", type: "string" },
    ]);
    expect(complete.inputs[0]!.inputFacets?.dataQualityMetrics).toMatchObject({ rowCount: 4 });
    expect(complete.inputs[0]!.inputFacets?.dataQualityAssertions?.assertions).toEqual([
      { assertion: "max: 1 row rejected", success: false, column: "aqi" },
      { assertion: "type: 1 row rejected", success: false, column: "aqi" },
    ]);
    expect(complete.outputs).toHaveLength(1);
    expect(complete.outputs[0]!.name).toMatch(/\.public\.ol_air$/);
    expect(complete.outputs[0]!.outputFacets?.outputStatistics).toMatchObject({ rowCount: 2 });
    expect(complete.run.facets.sluice_recordLineage).toMatchObject({
      runUrl: `https://sluice.example.com/runs/${runId}`,
      quarantineApi: `https://sluice.example.com/api/v1/runs/${runId}/quarantine`,
      lineageIdColumn: "_sluice_lineage_id",
      rowsRejected: 2,
    });
  });

  it("a failed run emits FAIL with the error message", async () => {
    await env.db.pool.query("CREATE TABLE ol_refusing (station text, aqi bigint CHECK (aqi < 0), _sluice_lineage_id text, _sluice_run_id uuid)");
    const pipeline = await airQuality("ol_refusing");
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    expect((await env.waitForRun(runId)).status).toBe("failed");
    const events = await eventsOf(runId);
    expect(events.map((e) => e.eventType)).toEqual(["START", "FAIL"]);
    for (const event of events) expect(validator.problems(event as unknown as Record<string, unknown>)).toEqual([]);
    expect(events[1]!.run.facets.errorMessage).toMatchObject({ message: expect.stringMatching(/^dst: .*check constraint/), programmingLanguage: "SQL" });
  });

  it("a canceled run emits ABORT", async () => {
    const pipeline = await airQuality("ol_canceled");
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    await cancelRun(env.ctx, runId);
    const events = await eventsOf(runId);
    expect(events.map((e) => e.eventType)).toContain("ABORT");
    for (const event of events) expect(validator.problems(event as unknown as Record<string, unknown>)).toEqual([]);
  });

  it("the validator catches an event that breaks the spec", () => {
    expect(validator.problems({ eventType: "DONE", eventTime: "yesterday", producer: "sluice", run: { runId: "r1" }, job: { name: "x" } })).toEqual(
      expect.arrayContaining([expect.stringMatching(/schemaURL/), expect.stringMatching(/eventTime: must match format "date-time"/), expect.stringMatching(/runId: must match format "uuid"/)]),
    );
  });
});
