import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BulkFixError, QuarantineConflictError, ReingestError } from "../errors";
import { startReingest } from "./reingest";
import { startRun } from "./runs";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import {
  applyBulkFix,
  countQuarantine,
  discardQuarantined,
  editQuarantinedRecord,
  exportQuarantineCsv,
  getQuarantineDetail,
  listQuarantine,
  previewBulkFix,
  quarantineErrorGroups,
  quarantineFacets,
  quarantineRules,
  searchQuarantine,
  type TQuarantineFilter,
} from "./quarantine";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;
let runId: string;
let pipelineId: string;

// Line 3 passes; every other line breaks at least one rule. "n/a" makes aqi a text column in the file.
const CSV = [
  "station,aqi,pm25",
  "AB001,612,1.5",
  "AB002,42,2",
  "AB003,700,2.5",
  ",50,4",
  "AB005,800,-1",
  "AB006,n/a,3",
].join("\n");

beforeAll(async () => {
  env = await createEngineEnvironment();
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
  const file = await env.upload("air.csv", CSV);
  const pipeline = await env.pipeline({
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
      {
        id: "val",
        type: "validate",
        config: {
          rules: [
            { field: "station", type: "string", required: true, pattern: "[A-Z]{2}[0-9]{3}" },
            { field: "aqi", type: "integer", required: true, min: 0, max: 500 },
            { field: "pm25", type: "number", min: 0 },
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
  pipelineId = pipeline.id;
  ({ runId } = await startRun(env.ctx, { pipelineId, trigger: "manual" }));
  const run = await env.waitForRun(runId);
  expect(run.status).toBe("succeeded");
});

afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

const stations = (records: { record: Record<string, string | null> }[]) => records.map((r) => r.record.station);

describe("reviewing quarantined records", () => {
  it("filters by run, pipeline, node, field and rule, and pages by id both ways", async () => {
    const all = await searchQuarantine(env.ctx, { filter: { runId } });
    expect(stations(all.records)).toEqual(["AB001", "AB003", null, "AB005", "AB006"]);
    expect(all.records[0]).toMatchObject({ runId, nodeId: "val", status: "open", historyCount: 0 });
    expect(all.records[0]!.lineageId).toMatch(new RegExp(`^${runId}:src:2:`));

    const tooHigh = await searchQuarantine(env.ctx, { filter: { runId, field: "aqi", rule: "max" } });
    expect(stations(tooHigh.records)).toEqual(["AB001", "AB003", "AB005"]);
    // Field and rule must meet on the same violation: AB005 breaks pm25's min, not aqi's.
    expect(stations((await searchQuarantine(env.ctx, { filter: { field: "aqi", rule: "min" } })).records)).toEqual([]);
    expect(stations((await searchQuarantine(env.ctx, { filter: { pipelineId, nodeId: "val", field: "pm25" } })).records)).toEqual(["AB005"]);
    expect((await searchQuarantine(env.ctx, { filter: { nodeId: "src" } })).records).toEqual([]);
    expect((await searchQuarantine(env.ctx, { filter: { from: new Date(Date.now() + 60_000) } })).records).toEqual([]);

    const first = await searchQuarantine(env.ctx, { filter: { runId }, limit: 3 });
    expect(first.nextCursor).toBeDefined();
    const second = await searchQuarantine(env.ctx, { filter: { runId }, limit: 3, cursor: first.nextCursor });
    expect([...stations(first.records), ...stations(second.records)]).toEqual(stations(all.records));
    expect(second.nextCursor).toBeUndefined();
    const newestFirst = await searchQuarantine(env.ctx, { filter: { runId }, order: "desc", limit: 2 });
    const rest = await searchQuarantine(env.ctx, { filter: { runId }, order: "desc", cursor: newestFirst.nextCursor });
    expect([...stations(newestFirst.records), ...stations(rest.records)]).toEqual(stations(all.records).reverse());
  });

  it("counts the matching records and groups their violations by field and rule", async () => {
    expect(await countQuarantine(env.ctx, { runId })).toEqual({ count: 5, capped: false });
    expect(await countQuarantine(env.ctx, { runId, field: "aqi" })).toEqual({ count: 4, capped: false });
    const groups = await quarantineErrorGroups(env.ctx, { runId });
    expect(groups.map((g) => [g.field, g.rule, g.records])).toEqual([
      ["aqi", "max", 3],
      ["aqi", "type", 1],
      ["pm25", "min", 1],
      ["station", "required", 1],
    ]);
    expect(groups[0]!.example).toMatch(/^aqi: \d+ is above the maximum 500$/);
    const facets = await quarantineFacets(env.ctx, {});
    expect(facets.runs.map((r) => r.id)).toContain(runId);
    expect(facets.nodes).toEqual(["val"]);
  });

  it("hands the browser the rejecting node's rules and the columns it received", async () => {
    const rules = await quarantineRules(env.ctx, runId, "val");
    expect(rules.config?.rules.map((r) => r.field)).toEqual(["station", "aqi", "pm25"]);
    expect(rules.columns).toEqual([
      { name: "station", type: "string" },
      { name: "aqi", type: "string" },
      { name: "pm25", type: "number" },
    ]);
  });
});

describe("fixing quarantined records", () => {
  const tooHigh: TQuarantineFilter = { field: "aqi", rule: "max" };

  it("previews an expression fix computed in SQL, reading fields as their rules type them, then applies it in one statement with history", async () => {
    const filter = { ...tooHigh, runId };
    const fix = { kind: "expression", field: "aqi", expression: "least(aqi, 500)" } as const;
    const preview = await previewBulkFix(env.ctx, { filter }, fix);
    expect(preview.records).toBe(3);
    expect(preview.sample.map((s) => [s.before, s.after])).toEqual([
      ["612", "500"],
      ["700", "500"],
      ["800", "500"],
    ]);
    expect(preview.sample[2]!.record).toEqual({ station: "AB005", aqi: "500", pm25: "-1" });
    // A preview changes nothing.
    expect(await countQuarantine(env.ctx, { runId, status: "open" })).toMatchObject({ count: 5 });

    expect(await applyBulkFix(env.ctx, { filter }, fix)).toEqual({ records: 3 });
    const fixed = await searchQuarantine(env.ctx, { filter: { runId, status: "fixed" } });
    expect(fixed.records.map((r) => r.record.aqi)).toEqual(["500", "500", "500"]);
    const detail = await getQuarantineDetail(env.ctx, BigInt(fixed.records[0]!.id));
    expect(detail.history).toEqual([
      expect.objectContaining({
        by: "test",
        action: "edit",
        fix: "aqi = least(aqi, 500)",
        before: { station: "AB001", aqi: "612", pm25: "1.5" },
        after: { station: "AB001", aqi: "500", pm25: "1.5" },
      }),
    ]);
    expect(Date.parse(detail.history[0]!.at)).not.toBeNaN();
  });

  it("sets a value or null on picked records", async () => {
    const missing = (await searchQuarantine(env.ctx, { filter: { runId, field: "station", rule: "required" } })).records[0]!;
    const negative = (await searchQuarantine(env.ctx, { filter: { runId, field: "pm25" } })).records[0]!;
    expect(await applyBulkFix(env.ctx, { ids: [BigInt(missing.id)] }, { kind: "value", field: "station", value: "AB004" })).toEqual({ records: 1 });
    expect(await applyBulkFix(env.ctx, { ids: [BigInt(negative.id)] }, { kind: "null", field: "pm25" })).toEqual({ records: 1 });
    expect((await getQuarantineDetail(env.ctx, BigInt(missing.id))).record).toEqual({ station: "AB004", aqi: "50", pm25: "4" });
    const nulled = await getQuarantineDetail(env.ctx, BigInt(negative.id));
    expect(nulled.record).toEqual({ station: "AB005", aqi: "500", pm25: null });
    expect(nulled.history.map((h) => h.fix)).toEqual(["aqi = least(aqi, 500)", "pm25 = NULL"]);
  });

  it("explains fixes it cannot apply", async () => {
    const target = { filter: { runId } };
    await expect(previewBulkFix(env.ctx, target, { kind: "expression", field: "aqi", expression: "aqii + 1" })).rejects.toThrow(BulkFixError);
    await expect(previewBulkFix(env.ctx, target, { kind: "expression", field: "aqi", expression: "aqii + 1" })).rejects.toThrow(/aqi/);
    await expect(applyBulkFix(env.ctx, target, { kind: "value", field: "nope", value: "1" })).rejects.toThrow(/no field "nope"/);
    // A text that is not a valid value of the column's type, met by an expression reading it.
    const cast = { kind: "expression", field: "pm25", expression: "CAST(station AS integer)" } as const;
    await expect(applyBulkFix(env.ctx, target, cast)).rejects.toThrow(/cannot be computed for every selected record: station: "AB00\d" is not an integer/);
    // One targeted record breaks aqi's type rule, so aqi reads as the text it arrived as.
    await expect(applyBulkFix(env.ctx, target, { kind: "expression", field: "aqi", expression: "aqi + 1" })).rejects.toThrow(/text/);
    const repair = { kind: "expression", field: "aqi", expression: "CASE WHEN aqi = 'n/a' THEN NULL ELSE aqi END" } as const;
    const preview = await previewBulkFix(env.ctx, { filter: { runId, field: "aqi", rule: "type" } }, repair);
    expect(preview.sample.map((s) => [s.before, s.after])).toEqual([["n/a", null]]);
    expect((await searchQuarantine(env.ctx, { filter: { runId, field: "aqi", rule: "type" } })).records[0]!.record.aqi).toBe("n/a");
  });

  it("discards with a reason, after which records are settled", async () => {
    const one = (await searchQuarantine(env.ctx, { filter: { runId } })).records[0]!;
    await expect(discardQuarantined(env.ctx, { ids: [BigInt(one.id)] }, "  ")).rejects.toThrow(/why/);
    expect(await discardQuarantined(env.ctx, { ids: [BigInt(one.id)] }, "sensor was offline")).toEqual({ records: 1 });
    const detail = await getQuarantineDetail(env.ctx, BigInt(one.id));
    expect(detail.status).toBe("discarded");
    // The review queue (open or fixed) no longer holds it.
    expect(await countQuarantine(env.ctx, { runId, status: "review" })).toMatchObject({ count: 4 });
    expect(await countQuarantine(env.ctx, { runId })).toMatchObject({ count: 5 });
    expect(detail.history.at(-1)).toMatchObject({ action: "discard", reason: "sensor was offline", by: "test", before: "fixed" });
    expect(await applyBulkFix(env.ctx, { ids: [BigInt(one.id)] }, { kind: "null", field: "pm25" })).toEqual({ records: 0 });
    await expect(editQuarantinedRecord(env.ctx, BigInt(one.id), { station: "X" })).rejects.toThrow(QuarantineConflictError);
    // The REST listing still sees every record of the run.
    const listed = await listQuarantine(env.ctx, { runId, limit: 10 });
    expect(listed.records).toHaveLength(5);
  });

  it("exports the filtered quarantine as CSV", async () => {
    const csv = await text(await exportQuarantineCsv(env.ctx, { runId, status: "fixed" }));
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe("_sluice_quarantine_id,_sluice_run_id,_sluice_node_id,_sluice_lineage_id,_sluice_status,_sluice_errors,aqi,pm25,station");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`,${runId},val,${runId}:src:`);
    expect(lines.slice(1).map((l) => l.split(",").at(-1))).toEqual(["AB003", "AB004", "AB005"]);
    // The pool gets its connection back after the stream ends.
    expect(env.ctx.pool.totalCount - env.ctx.pool.idleCount).toBe(0);
  });
});

describe("re-ingesting bulk-fixed records", () => {
  it("loads the fixed records once, and every source row is loaded, open or discarded", async () => {
    const { runIds, records } = await startReingest(env.ctx, { filter: { runId, status: "fixed" } });
    expect(records).toBe(3);
    const reingest = await env.waitForRun(runIds[0]!);
    expect(reingest).toMatchObject({ status: "succeeded", parentRunId: runId });

    const loaded = await env.db.pool.query("SELECT station, aqi::text FROM air ORDER BY station");
    expect(loaded.rows).toEqual([
      { station: "AB002", aqi: "42" },
      { station: "AB003", aqi: "500" },
      { station: "AB004", aqi: "50" },
      { station: "AB005", aqi: "500" },
    ]);
    const statuses = await env.db.pool.query("SELECT status::text, count(*)::int AS n FROM quarantined_records WHERE run_id = $1 GROUP BY 1 ORDER BY 1", [runId]);
    expect(statuses.rows).toEqual([
      { status: "discarded", n: 1 },
      { status: "open", n: 1 },
      { status: "reingested", n: 3 },
    ]);
    // Source rows = loaded + still in quarantine + discarded.
    expect(loaded.rows.length + 1 + 1).toBe(CSV.split("\n").length - 1);
    expect(await countQuarantine(env.ctx, { runId, status: "review" })).toMatchObject({ count: 1 });

    const fixed = (await searchQuarantine(env.ctx, { filter: { runId, status: "reingested" } })).records[0]!;
    const history = (await getQuarantineDetail(env.ctx, BigInt(fixed.id))).history;
    expect(history.map((h) => h.action)).toEqual(["edit", "reingest"]);

    // Nothing fixed is left, and the destination does not change.
    await expect(startReingest(env.ctx, { filter: { runId, status: "fixed" } })).rejects.toBeInstanceOf(ReingestError);
    expect((await env.db.pool.query("SELECT count(*)::int AS n FROM air")).rows[0].n).toBe(4);
  });
});
