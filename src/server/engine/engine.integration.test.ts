import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { getLineage } from "../services/lineage";
import { startRun } from "../services/runs";
import { createEngineEnvironment } from "./testing/engine-harness";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;

beforeAll(async () => {
  // Tiny chunks, so even these small files commit several checkpoints.
  env = await createEngineEnvironment({ SLUICE_CHUNK_ROWS: "4" });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

const CSV = [
  "station,aqi,pm25,measured_at,note",
  "AB001,42,10.5,2026-01-01T00:00:00Z,fine",
  'AB002,17,3.25,2026-01-01T00:00:00Z,"two',
  'lines"',
  "AB003,abc,1.0,2026-01-01T00:00:00Z,not a number",
  "AB004,612,1.0,2026-01-01T00:00:00Z,too high",
  ",7,1.0,yesterday,two problems",
  "AB005,99,20,2026-01-01T01:00:00Z,'; DROP TABLE runs; --",
  "AB001,43,11,2026-01-01T00:00:00Z,same key as line 2: last wins",
].join("\n");

function airQualityGraph(fileRef: string, table: string) {
  return {
    nodes: [
      { id: "src", type: "source.csv", config: { file: fileRef } },
      {
        id: "val",
        type: "validate",
        config: {
          rules: [
            { field: "station", type: "string", required: true, pattern: "[A-Z]{2}[0-9]{3}" },
            { field: "aqi", type: "integer", required: true, min: 0, max: 500 },
            { field: "pm25", type: "number", min: 0 },
            { field: "measured_at", type: "timestamp", required: true },
          ],
        },
      },
      { id: "sel", type: "transform.select", config: { columns: [{ from: "station" }, { from: "aqi" }, { from: "measured_at" }, { from: "note", to: "comment" }] } },
      { id: "band", type: "transform.derive", config: { column: "band", expression: "CASE WHEN aqi > 50 THEN 'moderate' ELSE 'good' END" } },
      { id: "dst", type: "destination.postgres", config: { table, mode: "upsert", key: ["station", "measured_at"] } },
    ],
    edges: [
      { from: "src", to: "val" },
      { from: "val", to: "sel" },
      { from: "sel", to: "band" },
      { from: "band", to: "dst" },
    ],
  };
}

describe("a pipeline run", () => {
  it("streams, validates, transforms and upserts, quarantining every bad record with all its violations", async () => {
    const file = await env.upload("air.csv", CSV);
    const pipeline = await env.pipeline(airQualityGraph(`upload:${file.id}`, "air_quality"));
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    const run = await env.waitForRun(runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");

    const node = (id: string) => run.nodes.find((n) => n.nodeId === id)!;
    expect(node("src")).toMatchObject({ status: "succeeded", rowsIn: 7n, rowsOut: 7n });
    expect(node("val")).toMatchObject({ rowsIn: 7n, rowsOut: 4n, rowsRejected: 3n });
    expect(node("band")).toMatchObject({ rowsIn: 4n, rowsOut: 4n });
    expect(node("dst")).toMatchObject({ status: "succeeded", rowsIn: 4n });

    const loaded = await env.db.pool.query(
      `SELECT station, aqi, comment, band, _sluice_lineage_id AS lineage, _sluice_run_id::text AS run FROM air_quality ORDER BY station`,
    );
    expect(loaded.rows.map((r) => [r.station, Number(r.aqi), r.band])).toEqual([
      ["AB001", 43, "good"],
      ["AB002", 17, "good"],
      ["AB005", 99, "moderate"],
    ]);
    expect(loaded.rows.find((r) => r.station === "AB002").comment).toBe("two\nlines");
    expect(loaded.rows.find((r) => r.station === "AB005").comment).toBe("'; DROP TABLE runs; --");
    // Lineage: run, source node, the physical line the record starts on, a content hash.
    expect(loaded.rows.find((r) => r.station === "AB001").lineage).toMatch(new RegExp(`^${runId}:src:9:[0-9a-f]{8}$`));
    expect(loaded.rows.find((r) => r.station === "AB005").lineage).toMatch(new RegExp(`^${runId}:src:8:[0-9a-f]{8}$`));
    expect(new Set(loaded.rows.map((r) => r.run))).toEqual(new Set([runId]));

    const quarantined = await env.db.pool.query(
      `SELECT node_id, lineage_id, record, errors FROM quarantined_records WHERE run_id = $1 ORDER BY id`,
      [runId],
    );
    expect(quarantined.rows).toHaveLength(3);
    const byLine = new Map(quarantined.rows.map((r) => [Number(r.lineage_id.split(":")[2]), r]));
    expect([...byLine.keys()].sort()).toEqual([5, 6, 7]);
    expect(byLine.get(5)!.errors).toEqual([expect.objectContaining({ field: "aqi", rule: "type", value: "abc" })]);
    expect(byLine.get(6)!.errors).toEqual([expect.objectContaining({ field: "aqi", rule: "max", value: "612" })]);
    expect(byLine.get(7)!.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort()).toEqual([
      "measured_at:type",
      "station:required",
    ]);
    expect(byLine.get(7)!.record).toMatchObject({ station: null, aqi: "7", measured_at: "yesterday" });
    // Every source record is accounted for: loaded (before in-run key collapsing) + quarantined.
    expect(Number(node("val").rowsOut) + quarantined.rows.length).toBe(Number(node("src").rowsIn));

    // Lineage of a loaded row: the file, the line, the raw record, the record after each node.
    const traced = await getLineage(env.ctx, loaded.rows.find((r) => r.station === "AB002").lineage);
    expect(traced.source).toMatchObject({ nodeId: "src", file: "air.csv", line: 3 });
    expect(traced.record).toMatchObject({ station: "AB002", aqi: "17", note: "two\nlines" });
    expect(traced.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["src", "passed"],
      ["val", "passed"],
      ["sel", "passed"],
      ["band", "passed"],
      ["dst", "passed"],
    ]);
    expect(traced.steps[3]).toMatchObject({ record: { station: "AB002", comment: "two\nlines", band: "good" } });
    // Lineage of a quarantined record ends at the node that rejected it, with every violation.
    const rejected = await getLineage(env.ctx, byLine.get(7)!.lineage_id);
    expect(rejected.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["src", "passed"],
      ["val", "quarantined"],
    ]);
  });

  it("leaves the destination unchanged when the same input runs again", async () => {
    const file = await env.upload("air.csv", CSV);
    const pipeline = await env.pipeline(airQualityGraph(`upload:${file.id}`, "air_rerun"));
    const first = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
    const before = await env.db.pool.query(`SELECT * FROM air_rerun ORDER BY station`);
    const second = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "api" })).runId);
    expect([first.status, second.status]).toEqual(["succeeded", "succeeded"]);
    const after = await env.db.pool.query(`SELECT * FROM air_rerun ORDER BY station`);
    expect(after.rows).toEqual(before.rows);
    const destination = second.nodes.find((n) => n.nodeId === "dst")!;
    expect(destination.logs.map((l) => l.message).join("\n")).toMatch(/0 rows written/);
  });

  it("fails a node whose error cannot heal at once, skips what depends on it and fails the run", async () => {
    const file = await env.upload("names.csv", "name,city\nAda,London\nGrace,Arlington\n");
    const pipeline = await env.pipeline({
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "tonum", type: "transform.cast", config: { casts: [{ column: "name", to: "integer" }] }, retry: { attempts: 3 } },
        { id: "dst", type: "destination.postgres", config: { table: "never_loaded", mode: "append" } },
      ],
      edges: [
        { from: "src", to: "tonum" },
        { from: "tonum", to: "dst" },
      ],
    });
    const run = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
    expect(run.status).toBe("failed");
    const cast = run.nodes.find((n) => n.nodeId === "tonum")!;
    expect(cast).toMatchObject({ status: "failed", attempt: 1 });
    expect(cast.logs.some((l) => l.message.includes("will retry"))).toBe(false);
    expect(run.error).toBe('tonum: name: "Ada" is not an integer');
    expect(run.nodes.find((n) => n.nodeId === "dst")).toMatchObject({ status: "skipped" });
    const table = await env.db.pool.query(`SELECT to_regclass('never_loaded') AS t`);
    expect(table.rows[0].t).toBeNull();
  });

  it("fails a destination whose table does not fit the input on its first attempt, with the database's reason", async () => {
    await env.db.pool.query(`CREATE TABLE strict_people (name text, city text, born integer NOT NULL)`);
    const file = await env.upload("people.csv", "name,city\nAda,London\n");
    const pipeline = await env.pipeline({
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "dst", type: "destination.postgres", config: { table: "strict_people", mode: "append" }, retry: { attempts: 3 } },
      ],
      edges: [{ from: "src", to: "dst" }],
    });
    const run = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
    expect(run.nodes.find((n) => n.nodeId === "dst")).toMatchObject({ status: "failed", attempt: 1 });
    expect(run.error).toMatch(/^dst: .*"born"/);
  });

  it("retries a node that lost its database connection, with backoff, and the retry succeeds", async () => {
    await env.db.pool.query(`CREATE TABLE contested (name text, city text)`);
    const file = await env.upload("people.csv", "name,city\nAda,London\nGrace,Arlington\n");
    const pipeline = await env.pipeline({
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "dst", type: "destination.postgres", config: { table: "contested", mode: "append" }, retry: { attempts: 2 } },
      ],
      edges: [{ from: "src", to: "dst" }],
    });
    // The destination's first attempt waits for this lock; its connection is then cut, as a database restart would.
    const holder = await env.db.pool.connect();
    try {
      await holder.query(`BEGIN; LOCK TABLE contested IN ACCESS EXCLUSIVE MODE`);
      const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
      const waiting = await pollFor(async () => {
        const found = await env.db.pool.query<{ pid: number }>(
          `SELECT l.pid FROM pg_locks l WHERE l.relation = 'contested'::regclass AND NOT l.granted LIMIT 1`,
        );
        return found.rows[0]?.pid;
      });
      await env.db.pool.query(`SELECT pg_terminate_backend($1)`, [waiting]);
      await holder.query(`COMMIT`);
      const run = await env.waitForRun(runId);
      expect(run.status).toBe("succeeded");
      const destination = run.nodes.find((n) => n.nodeId === "dst")!;
      expect(destination).toMatchObject({ status: "succeeded", attempt: 2 });
      expect(destination.logs.some((l) => l.message.includes("will retry"))).toBe(true);
      expect((await env.db.pool.query(`SELECT count(*)::int AS n FROM contested`)).rows[0].n).toBe(2);
    } finally {
      holder.release();
    }
  });
});

async function pollFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let tries = 0; tries < 600; tries++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("gave up waiting");
}

describe("lineage of an aggregated row", () => {
  it("shows its group, how many source records formed it and the first of them", async () => {
    const file = await env.upload("readings.csv", "station,aqi\nA,10\nB,20\nA,30\nA,50\n");
    const pipeline = await env.pipeline({
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "agg", type: "transform.aggregate", config: { groupBy: ["station"], aggregates: [{ fn: "avg", column: "aqi", as: "mean" }] } },
        { id: "dst", type: "destination.postgres", config: { table: "station_means", mode: "upsert", key: ["station"] } },
      ],
      edges: [
        { from: "src", to: "agg" },
        { from: "agg", to: "dst" },
      ],
    });
    const run = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
    expect(run.status).toBe("succeeded");
    const row = await env.db.pool.query("SELECT _sluice_lineage_id AS id FROM station_means WHERE station = 'A'");
    const lineage = await getLineage(env.ctx, row.rows[0].id);
    expect(lineage.record).toMatchObject({ station: "A", mean: 30 });
    expect("aggregate" in lineage && lineage.aggregate).toMatchObject({ groupBy: ["station"], count: 3 });
    const sources = "aggregate" in lineage ? lineage.aggregate.sources : [];
    expect(sources.map((s) => s.lineageId.split(":")[2])).toEqual(["2", "4", "5"]);
    expect(sources[0]!.record).toMatchObject({ station: "A", aqi: 10 });
    expect(lineage.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["agg", "passed"],
      ["dst", "passed"],
    ]);
    // Each listed source record traces back to its own line of the file.
    expect((await getLineage(env.ctx, sources[2]!.lineageId)).source).toMatchObject({ file: "readings.csv", line: 5 });
  });
});
