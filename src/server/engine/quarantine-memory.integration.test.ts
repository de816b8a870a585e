import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { getLineage } from "../services/lineage";
import { countQuarantine, discardQuarantined, editQuarantinedRecord, listQuarantine } from "../services/quarantine";
import { startReingest } from "../services/reingest";
import { startRun } from "../services/runs";
import { createEngineEnvironment } from "./testing/engine-harness";

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

const CSV = [
  "station,aqi",
  "AB001,42",
  "AB002,612",
  "AB003,abc",
  "AB004,-5",
  "AB004,-5",
  "AB005,99",
].join("\n");

const RULES = [{ field: "aqi", type: "integer", required: true, min: 0, max: 500 }];

/** A CSV source straight into validate (the fused streaming path), or through a filter first (validation in SQL). */
async function airPipeline(csv: string, path: "fused" | "sql") {
  const file = await env.upload("air.csv", csv);
  const table = `air_${path}_${Math.random().toString(36).slice(2, 8)}`;
  const nodes = [
    { id: "src", type: "source.csv", config: { file: `upload:${file.id}`, columns: { aqi: "string" } } },
    ...(path === "sql" ? [{ id: "keep", type: "transform.filter", config: { expression: "station <> 'none'" } }] : []),
    { id: "val", type: "validate", config: { rules: RULES } },
    { id: "dst", type: "destination.postgres", config: { table, mode: "append" } },
  ];
  const chain = nodes.map((n) => n.id);
  const pipeline = await env.pipeline({ nodes, edges: chain.slice(1).map((to, i) => ({ from: chain[i]!, to })) });
  return { pipeline, table };
}

async function run(pipelineId: string) {
  const done = await env.waitForRun((await startRun(env.ctx, { pipelineId, trigger: "manual" })).runId);
  expect(done.status).toBe("succeeded");
  return done;
}

async function recordsOf(pipelineId: string) {
  const runs = await env.ctx.prisma.run.findMany({ where: { pipelineId }, select: { id: true } });
  return env.ctx.prisma.quarantinedRecord.findMany({ where: { runId: { in: runs.map((r) => r.id) } }, orderBy: { id: "asc" } });
}

const station = (record: unknown) => (record as Record<string, string>).station;

describe.each(["fused", "sql"] as const)("quarantine remembers records across runs (%s validation)", (path) => {
  it("counts a rerun's already-open records as seen again instead of adding copies, identical lines staying two records", async () => {
    const { pipeline } = await airPipeline(CSV, path);
    const first = await run(pipeline.id);
    const second = await run(pipeline.id);

    const records = await recordsOf(pipeline.id);
    expect(records.map((r) => [station(r.record), r.status, r.seenCount, r.occurrence, r.runId, r.lastSeenRunId])).toEqual([
      ["AB002", "open", 2, 1, first.id, second.id],
      ["AB003", "open", 2, 1, first.id, second.id],
      ["AB004", "open", 2, 1, first.id, second.id],
      ["AB004", "open", 2, 2, first.id, second.id],
    ]);
    expect(first.nodes.find((n) => n.nodeId === "val")).toMatchObject({ rowsRejected: 4n, rowsKnown: 0n });
    expect(second.nodes.find((n) => n.nodeId === "val")).toMatchObject({ rowsRejected: 4n, rowsKnown: 4n, rowsRemembered: 0n });
    const logs = second.nodes.find((n) => n.nodeId === "val")?.logs as { message: string }[];
    expect(logs.map((l) => l.message)).toContain("4 rejected: 4 already in quarantine, 0 new");

    // The rerun's page links to its quarantined records: the ones it met again are among them.
    expect(await countQuarantine(env.ctx, { runId: second.id })).toEqual({ count: 4, capped: false });
    expect((await listQuarantine(env.ctx, { runId: second.id, limit: 10 })).records).toHaveLength(4);
  });

  it("loads a fixed record with its remembered fix on the next run, keeps a discarded one discarded, and treats a changed line as new", async () => {
    const { pipeline, table } = await airPipeline(CSV, path);
    const first = await run(pipeline.id);
    const [tooHigh, notNumber, negative] = (await recordsOf(pipeline.id)).map((r) => r.id) as [bigint, bigint, bigint];
    await editQuarantinedRecord(env.ctx, tooHigh, { station: "AB002", aqi: "61" });
    const reingest = await env.waitForRun((await startReingest(env.ctx, { ids: [tooHigh] })).runIds[0]!);
    expect(reingest.status).toBe("succeeded");
    await discardQuarantined(env.ctx, { ids: [notNumber] }, "the sensor was broken that day");
    await editQuarantinedRecord(env.ctx, negative, { station: "AB004", aqi: "5" });

    // The same file again, with AB003's line changed: a different source record.
    const file = await env.upload("air.csv", CSV.replace("AB003,abc", "AB003,xyz"));
    const graph = (await env.ctx.prisma.pipelineVersion.findFirstOrThrow({ where: { pipelineId: pipeline.id }, orderBy: { number: "desc" } })).graph as {
      nodes: { id: string; config: Record<string, unknown> }[];
    };
    const src = graph.nodes.find((n) => n.id === "src")!;
    src.config = { ...src.config, file: `upload:${file.id}` };
    await env.db.pool.query("UPDATE pipeline_versions SET graph = $2 WHERE pipeline_id = $1", [pipeline.id, JSON.stringify(graph)]);
    const rerun = await run(pipeline.id);

    const loaded = await env.db.pool.query(`SELECT station, aqi, _sluice_run_id::text AS run FROM "${table}" WHERE _sluice_run_id = $1 ORDER BY station, aqi`, [rerun.id]);
    expect(loaded.rows.map((r) => [r.station, Number(r.aqi)])).toEqual([
      ["AB001", 42],
      ["AB002", 61],
      ["AB004", 5],
      ["AB005", 99],
    ]);
    expect(rerun.nodes.find((n) => n.nodeId === "val")).toMatchObject({ rowsIn: 6n, rowsOut: 4n, rowsRejected: 2n, rowsKnown: 1n, rowsRemembered: 2n });

    const records = await recordsOf(pipeline.id);
    expect(records.map((r) => [station(r.record), (r.record as Record<string, string>).aqi, r.status, r.runId])).toEqual([
      ["AB002", "61", "reingested", first.id],
      ["AB003", "abc", "discarded", first.id],
      ["AB004", "5", "fixed", first.id],
      ["AB004", "-5", "open", first.id],
      ["AB003", "xyz", "open", rerun.id],
    ]);
    const remembered = records[0]!.history as { action: string; runId?: string; outcome?: string; lineageId?: string }[];
    expect(remembered.at(-1)).toMatchObject({ action: "rememberedFix", runId: rerun.id, outcome: "passed" });

    // Lineage of the rerun's AB002 row shows the fix at the validate node, where it was made.
    const row = await env.db.pool.query(`SELECT _sluice_lineage_id AS id FROM "${table}" WHERE _sluice_run_id = $1 AND station = 'AB002'`, [rerun.id]);
    expect(row.rows[0].id).toBe(remembered.at(-1)?.lineageId);
    const lineage = await getLineage({ ...env.ctx, pool: env.db.pool }, row.rows[0].id);
    expect(lineage.steps.find((s) => s.nodeId === "val")).toMatchObject({ status: "remembered", quarantineId: String(records[0]!.id) });
  });
});
