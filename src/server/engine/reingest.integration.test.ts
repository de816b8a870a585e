import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { getLineage } from "../services/lineage";
import { editQuarantinedRecord } from "../services/quarantine";
import { ReingestError } from "../errors";
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
  "station,aqi,measured_at",
  "AB001,42,2026-01-01T00:00:00Z",
  "AB002,612,2026-01-01T00:00:00Z",
  "AB003,abc,2026-01-01T00:00:00Z",
  "AB004,17,not a time",
  "AB005,99,2026-01-01T00:00:00Z",
].join("\n");

describe("re-ingesting quarantined records", () => {
  it("loads fixed records once, returns records that still fail with their new errors, and keeps lineage of the fix", async () => {
    const file = await env.upload("air.csv", CSV);
    const pipeline = await env.pipeline({
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        {
          id: "val",
          type: "validate",
          config: {
            rules: [
              { field: "aqi", type: "integer", required: true, min: 0, max: 500 },
              { field: "measured_at", type: "timestamp", required: true },
            ],
          },
        },
        { id: "dst", type: "destination.postgres", config: { table: "air", mode: "upsert", key: ["station"] } },
      ],
      edges: [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ],
    });
    const original = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
    expect(original.status).toBe("succeeded");
    const quarantined = await env.ctx.prisma.quarantinedRecord.findMany({ where: { runId: original.id }, orderBy: { id: "asc" } });
    expect(quarantined.map((q) => (q.record as Record<string, string>).station)).toEqual(["AB002", "AB003", "AB004"]);
    const [tooHigh, notNumber, badTime] = quarantined as [(typeof quarantined)[0], (typeof quarantined)[0], (typeof quarantined)[0]];

    // Fix two; leave the third broken in a new way.
    await editQuarantinedRecord(env.ctx, tooHigh.id, { station: "AB002", aqi: "61", measured_at: "2026-01-01T00:00:00Z" });
    await editQuarantinedRecord(env.ctx, notNumber.id, { station: "AB003", aqi: "7", measured_at: "2026-01-01T00:00:00Z" });
    await editQuarantinedRecord(env.ctx, badTime.id, { station: "AB004", aqi: "-5", measured_at: "still not a time" });

    const { runIds } = await startReingest(env.ctx, { ids: [tooHigh.id, notNumber.id, badTime.id] });
    expect(runIds).toHaveLength(1);
    const reingest = await env.waitForRun(runIds[0]!);
    expect(reingest).toMatchObject({ status: "succeeded", trigger: "reingest", parentRunId: original.id });
    expect(reingest.nodes.map((n) => n.nodeId).sort()).toEqual(["dst", "val"]);
    expect(reingest.nodes.find((n) => n.nodeId === "val")).toMatchObject({ rowsIn: 3n, rowsOut: 2n, rowsRejected: 1n });

    const table = await env.db.pool.query("SELECT station, aqi::int FROM air ORDER BY station");
    expect(table.rows).toEqual([
      { station: "AB001", aqi: 42 },
      { station: "AB002", aqi: 61 },
      { station: "AB003", aqi: 7 },
      { station: "AB005", aqi: 99 },
    ]);
    const after = await env.ctx.prisma.quarantinedRecord.findMany({ where: { runId: original.id }, orderBy: { id: "asc" } });
    expect(after.map((q) => q.status)).toEqual(["reingested", "reingested", "open"]);
    const stillBad = after[2]!;
    expect((stillBad.errors as { rule: string }[]).map((e) => e.rule).sort()).toEqual(["min", "type"]);
    // One record, one place in quarantine: the re-ingest run keeps no copy of it.
    expect(await env.ctx.prisma.quarantinedRecord.count({ where: { runId: reingest.id } })).toBe(0);
    // Source rows = loaded + quarantined (+ discarded, none here).
    const open = await env.ctx.prisma.quarantinedRecord.count({ where: { runId: original.id, status: "open" } });
    expect(table.rows.length + open).toBe(5);

    // Re-ingesting again changes nothing: the settled records are not taken again.
    await expect(startReingest(env.ctx, { ids: [tooHigh.id, notNumber.id] })).rejects.toBeInstanceOf(ReingestError);

    // Lineage of a re-ingested row: the original record, the fix, the re-ingest run, the loaded row.
    const loaded = await env.db.pool.query("SELECT _sluice_lineage_id AS id, _sluice_run_id::text AS run FROM air WHERE station = 'AB002'");
    expect(loaded.rows[0].run).toBe(reingest.id);
    const lineage = await getLineage(env.ctx, loaded.rows[0].id);
    expect(lineage.source).toMatchObject({ line: 3, file: "air.csv" });
    expect(lineage.record).toMatchObject({ station: "AB002", aqi: "612" });
    expect(lineage.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["src", "passed"],
      ["val", "reingested"],
      ["dst", "passed"],
    ]);
    const fix = lineage.steps[1] as { history: { action: string; before?: unknown; after?: unknown; runId?: string }[]; reingestRunId: string };
    expect(fix.reingestRunId).toBe(reingest.id);
    expect(fix.history).toEqual([
      expect.objectContaining({ action: "edit", before: expect.objectContaining({ aqi: "612" }), after: expect.objectContaining({ aqi: "61" }) }),
      expect.objectContaining({ action: "reingest", runId: reingest.id, outcome: "passed" }),
    ]);
  });

  it("marks records re-ingested only when the re-ingest run succeeds: a failed run leaves them fixed, linked in their history", async () => {
    const file = await env.upload("air-checked.csv", CSV);
    const pipeline = await env.pipeline({
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "val", type: "validate", config: { rules: [{ field: "aqi", type: "integer", required: true, min: 0, max: 500 }] } },
        { id: "dst", type: "destination.postgres", config: { table: "air_checked", mode: "upsert", key: ["station"] }, retry: { attempts: 1 } },
      ],
      edges: [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ],
    });
    const original = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
    expect(original.status).toBe("succeeded");
    // From now on the destination refuses what the validate node lets through: aqi 161 breaks its CHECK.
    await env.db.pool.query("ALTER TABLE air_checked ADD CONSTRAINT aqi_below_100 CHECK (aqi < 100)");
    const [tooHigh] = await env.ctx.prisma.quarantinedRecord.findMany({ where: { runId: original.id, nodeId: "val" }, orderBy: { id: "asc" } });
    expect((tooHigh!.record as Record<string, string>).aqi).toBe("612");
    await editQuarantinedRecord(env.ctx, tooHigh!.id, { station: "AB002", aqi: "161", measured_at: "2026-01-01T00:00:00Z" });

    const failed = await env.waitForRun((await startReingest(env.ctx, { ids: [tooHigh!.id] })).runIds[0]!);
    expect(failed.status).toBe("failed");
    // It passed the validate node; the destination then refused it, so nothing of it was loaded.
    expect(failed.nodes.find((n) => n.nodeId === "val")).toMatchObject({ status: "succeeded", rowsOut: 1n });
    expect(failed.nodes.find((n) => n.nodeId === "dst")).toMatchObject({ status: "failed" });
    const afterFailure = await env.ctx.prisma.quarantinedRecord.findUniqueOrThrow({ where: { id: tooHigh!.id } });
    expect(afterFailure.status).toBe("fixed");
    expect(afterFailure.reingestRunId).toBe(failed.id);
    expect(afterFailure.history).toEqual([
      expect.objectContaining({ action: "edit" }),
      expect.objectContaining({ action: "reingest", runId: failed.id, outcome: "runFailed" }),
    ]);

    // Fixed properly, re-ingested again: now it is loaded, and marked so.
    await editQuarantinedRecord(env.ctx, tooHigh!.id, { station: "AB002", aqi: "61", measured_at: "2026-01-01T00:00:00Z" });
    const succeeded = await env.waitForRun((await startReingest(env.ctx, { ids: [tooHigh!.id] })).runIds[0]!);
    expect(succeeded.status).toBe("succeeded");
    const settled = await env.ctx.prisma.quarantinedRecord.findUniqueOrThrow({ where: { id: tooHigh!.id } });
    expect(settled.status).toBe("reingested");
    expect(settled.history).toEqual([
      expect.objectContaining({ action: "edit" }),
      expect.objectContaining({ action: "reingest", runId: failed.id, outcome: "runFailed" }),
      expect.objectContaining({ action: "edit" }),
      expect.objectContaining({ action: "reingest", runId: succeeded.id, outcome: "passed", by: "test" }),
    ]);
    const loaded = await env.db.pool.query("SELECT aqi::int FROM air_checked WHERE station = 'AB002'");
    expect(loaded.rows).toEqual([{ aqi: 61 }]);
  });
});
