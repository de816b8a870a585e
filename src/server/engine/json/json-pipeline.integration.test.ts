import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "../../jobs/worker";
import { getLineage } from "../../services/lineage";
import { startRun } from "../../services/runs";
import { createEngineEnvironment } from "../testing/engine-harness";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;

beforeAll(async () => {
  // Tiny chunks, so even these small files commit several checkpoints.
  env = await createEngineEnvironment({ SLUICE_CHUNK_ROWS: "2" });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

const NDJSON = [
  '{"station": "AB001", "reading": {"aqi": 42, "pm25": 10.5}, "at": "2026-01-01T00:00:00Z", "tags": ["city"]}',
  '{"station": "AB002", "reading": {"aqi": "17", "pm25": 3.25}, "at": "2026-01-01T00:00:00Z", "note": "ignored field"}',
  "",
  '{"station": "AB003", "reading": {"aqi": "abc", "pm25": 1.0}, "at": "2026-01-01T00:00:00Z"}',
  '{"station": "AB004", "reading": {"aqi": 612}, "at": "2026-01-01T00:00:00Z"}',
  '{"station": "AB005", "reading": {"aqi": 99, "pm25": 20}, "at": "2026-01-01T01:00:00Z"',
  '[1, 2, 3]',
  '{"station": null, "reading": {"aqi": 7}, "at": "yesterday"}',
  '{"station": "AB001", "reading": {"aqi": 43, "pm25": 11}, "at": "2026-01-01T00:00:00Z"}',
].join("\n");

function graph(fileRef: string, table: string) {
  return {
    nodes: [
      { id: "src", type: "source.json", config: { file: fileRef } },
      {
        id: "val",
        type: "validate",
        config: {
          rules: [
            { field: "station", type: "string", required: true, pattern: "[A-Z]{2}[0-9]{3}" },
            { field: "reading.aqi", type: "integer", required: true, min: 0, max: 500 },
            { field: "at", type: "string", required: true },
          ],
        },
      },
      { id: "dst", type: "destination.postgres", config: { table, mode: "upsert", key: ["station", "at"] } },
    ],
    edges: [
      { from: "src", to: "val" },
      { from: "val", to: "dst" },
    ],
  };
}

describe("a pipeline reading JSON", () => {
  it("streams NDJSON, flattens, validates and upserts, accounting for every record", async () => {
    const file = await env.upload("air.ndjson", NDJSON);
    expect(file.inspection).toMatchObject({ kind: "json", format: { format: "ndjson" } });
    const pipeline = await env.pipeline(graph(`upload:${file.id}`, "air_json"));
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    const run = await env.waitForRun(runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");

    const node = (id: string) => run.nodes.find((n) => n.nodeId === id)!;
    // Lines 1–9 minus the blank one; line 6 is cut off and line 7 is not an object.
    expect(node("src")).toMatchObject({ status: "succeeded", rowsIn: 8n, rowsOut: 6n, rowsRejected: 2n });
    // "abc" in the sample makes reading.aqi a text column, so validate's integer rule rejects AB003.
    expect(node("val")).toMatchObject({ rowsIn: 6n, rowsOut: 3n, rowsRejected: 3n });
    expect(node("dst")).toMatchObject({ status: "succeeded", rowsIn: 3n });

    const loaded = await env.db.pool.query(
      `SELECT station, "reading.aqi" AS aqi, "reading.pm25" AS pm25, tags, _sluice_lineage_id AS lineage FROM air_json ORDER BY station`,
    );
    expect(loaded.rows.map((r) => [r.station, Number(r.aqi), r.pm25, r.tags])).toEqual([
      ["AB001", 43, 11, null],
      ["AB002", 17, 3.25, null],
    ]);
    // Lineage: run, source node, the NDJSON line (1-based), a content hash.
    expect(loaded.rows[0].lineage).toMatch(new RegExp(`^${runId}:src:9:[0-9a-f]{8}$`));
    expect(loaded.rows[1].lineage).toMatch(new RegExp(`^${runId}:src:2:[0-9a-f]{8}$`));

    const quarantined = await env.db.pool.query(`SELECT node_id, lineage_id, errors FROM quarantined_records WHERE run_id = $1 ORDER BY id`, [runId]);
    const byLine = new Map(quarantined.rows.map((r) => [Number(r.lineage_id.split(":")[2]), r]));
    expect([...byLine.keys()].sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8]);
    expect(byLine.get(4)).toMatchObject({ node_id: "val", errors: [expect.objectContaining({ field: "reading.aqi", rule: "type", value: "abc" })] });
    expect(byLine.get(5)).toMatchObject({ node_id: "val", errors: [expect.objectContaining({ field: "reading.aqi", rule: "max" })] });
    expect(byLine.get(6)).toMatchObject({ node_id: "src", errors: [expect.objectContaining({ rule: "json" })] });
    expect(byLine.get(7)).toMatchObject({ node_id: "src", errors: [expect.objectContaining({ rule: "notAnObject" })] });
    expect(byLine.get(8)!.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`)).toEqual(["station:required"]);
    // Every source record is accounted for: passed validation, or quarantined by the source or validate.
    expect(Number(node("val").rowsOut) + quarantined.rows.length).toBe(Number(node("src").rowsIn));
  });

  it("reads an array, with each record's 0-based index as its lineage", async () => {
    const records = NDJSON.split("\n").filter((l) => l.startsWith("{") && l.endsWith("}"));
    const file = await env.upload("air.json", `[\n${records.join(",\n")}\n]`);
    const pipeline = await env.pipeline(graph(`upload:${file.id}`, "air_json_array"));
    const run = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
    expect(run.status).toBe("succeeded");
    const loaded = await env.db.pool.query(`SELECT station, _sluice_lineage_id AS lineage FROM air_json_array ORDER BY station`);
    expect(loaded.rows.map((r) => [r.station, r.lineage.split(":")[2]])).toEqual([
      ["AB001", "5"],
      ["AB002", "1"],
    ]);
    const traced = await getLineage(env.ctx, loaded.rows.find((r) => r.station === "AB002").lineage);
    expect(traced.source).toMatchObject({ file: "air.json", index: 1 });
    expect(traced.source).not.toHaveProperty("line");
    expect(traced.record).toMatchObject({ station: "AB002" });
    expect(traced.raw).toMatch(/^\{.*"AB002".*\}$/s);
  });

  it("counts fields first seen after the sampled megabyte, and reads them once named under Column types", async () => {
    const record = (i: number) => `{"id": ${i}, "pad": "${"x".repeat(10_000)}"${i === 199 ? ', "late": 5' : ""}}`;
    const file = await env.upload("late.ndjson", Array.from({ length: 200 }, (_, i) => record(i)).join("\n"));
    const runWith = async (columns: Record<string, string> | undefined, table: string) => {
      const pipeline = await env.pipeline({
        nodes: [
          { id: "src", type: "source.json", config: { file: `upload:${file.id}`, columns } },
          { id: "dst", type: "destination.postgres", config: { table, mode: "replace" } },
        ],
        edges: [{ from: "src", to: "dst" }],
      });
      return env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
    };
    const first = await runWith(undefined, "late_ignored");
    expect(first.status).toBe("succeeded");
    const log = first.nodes.find((n) => n.nodeId === "src")!.logs.map((l) => l.message);
    expect(log).toContain("1 field values were not columns of this source and were not loaded (e.g. late); add them under Column types to read them");

    const second = await runWith({ late: "integer" }, "late_read");
    expect(second.status).toBe("succeeded");
    const rows = await env.db.pool.query("SELECT id, late FROM late_read WHERE late IS NOT NULL");
    expect(rows.rows.map((r) => [Number(r.id), Number(r.late)])).toEqual([[199, 5]]);
  });

  it("refuses a cut-off file on upload when the cut is in the first megabyte", async () => {
    await expect(env.upload("cut.json", '[{"station": "AB001"},\n {"station": "AB0')).rejects.toThrow(
      "cut.json could not be read as JSON: the file is not valid JSON: it ends inside the array (line 2, column 18); it may be cut off",
    );
  });

  it("fails the run with where the array breaks when the cut lies further in", async () => {
    const record = `{"station": "AB001", "reading": {"aqi": 1}, "at": "x", "pad": "${"x".repeat(10_000)}"}`;
    const count = Math.ceil((1.2 * 1024 * 1024) / (record.length + 2));
    const content = `[\n${Array.from({ length: count }, () => record).join(",\n")},\n {"station": "AB0`;
    const file = await env.upload("cut.json", content);
    const pipeline = await env.pipeline({ nodes: [{ id: "src", type: "source.json", config: { file: `upload:${file.id}` }, retry: { attempts: 1 } }], edges: [] });
    const run = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
    expect(run.status).toBe("failed");
    expect(run.error).toBe(
      `src: The file is not valid JSON at line ${count + 2}, column 18 (byte ${Buffer.byteLength(content)}): ` +
        `the file ends inside the record at index ${count}: it is cut off (upload the whole file)`,
    );
  });
});
