import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { startRun } from "../services/runs";
import { createEngineEnvironment } from "./testing/engine-harness";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;

beforeAll(async () => {
  env = await createEngineEnvironment();
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
  await env.db.pool.query("CREATE TABLE cities (name text PRIMARY KEY); INSERT INTO cities VALUES ('Oslo'), ('Lima')");
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

const CSV = [
  "station,aqi,city",
  "AB001,42,Oslo",
  // Every kind of error at once: too high (per record), a taken station, a city not in the list.
  "AB001,612,Atlantis",
  // A type error: its aqi is not checked any further, its station and city are.
  "AB002,abc,Atlantis",
  "AB002,17,Lima",
  "AB003,7,Lima",
].join("\n");

const RULES = [
  { field: "station", required: true, unique: true },
  { field: "aqi", type: "integer", required: true, max: 500 },
  { field: "city", references: { table: "cities", column: "name" } },
];

/** Runs CSV → validate → table, the validate node right after the source (fused) or behind a select (SQL). */
async function quarantineOf(fused: boolean, table: string) {
  const file = await env.upload(`${table}.csv`, CSV);
  const between = fused ? [] : [{ id: "sel", type: "transform.select", config: { columns: [{ from: "station" }, { from: "aqi" }, { from: "city" }] } }];
  const ids = ["src", ...between.map((n) => n.id), "val", "dst"];
  const pipeline = await env.pipeline({
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${file.id}`, columns: { aqi: "string" } } },
      ...between,
      { id: "val", type: "validate", config: { rules: RULES } },
      { id: "dst", type: "destination.postgres", config: { table, mode: "append" } },
    ],
    edges: ids.slice(1).map((to, i) => ({ from: ids[i]!, to })),
  });
  const run = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
  expect(run.status).toBe("succeeded");
  const quarantined = await env.db.pool.query<{ line: string; errors: { field: string; rule: string; message: string }[] }>(
    "SELECT split_part(lineage_id, ':', 3) AS line, errors FROM quarantined_records WHERE run_id = $1 ORDER BY length(lineage_id), lineage_id",
    [run.id],
  );
  const loaded = await env.db.pool.query(`SELECT station FROM "${table}" ORDER BY station`);
  const val = run.nodes.find((n) => n.nodeId === "val")!;
  return { quarantined: quarantined.rows, loaded: loaded.rows.map((r) => r.station), val };
}

describe("every error of a record, on every path", () => {
  it("adds unique and references violations to records the streaming validator quarantined, as the SQL path lists them", async () => {
    const fused = await quarantineOf(true, "all_errors_fused");
    const inSql = await quarantineOf(false, "all_errors_sql");
    const expected = [
      {
        line: "3",
        errors: [
          { field: "aqi", rule: "max", message: "aqi: 612 is above the maximum 500" },
          { field: "station", rule: "unique", message: 'station: "AB001" already appeared on an earlier record of this run' },
          { field: "city", rule: "references", message: 'city: "Atlantis" does not exist in public.cities.name' },
        ],
      },
      {
        line: "4",
        errors: [
          { field: "aqi", rule: "type", message: 'aqi: "abc" is not an integer' },
          { field: "city", rule: "references", message: 'city: "Atlantis" does not exist in public.cities.name' },
        ],
      },
    ];
    const shape = (rows: typeof fused.quarantined) =>
      rows.map((r) => ({ line: r.line, errors: r.errors.map(({ field, rule, message }) => ({ field, rule, message })) }));
    expect(shape(fused.quarantined)).toEqual(expected);
    expect(shape(inSql.quarantined)).toEqual(shape(fused.quarantined));
    expect(fused.loaded).toEqual(["AB001", "AB002", "AB003"]);
    expect(inSql.loaded).toEqual(fused.loaded);
    expect(fused.val).toMatchObject({ rowsIn: 5n, rowsOut: 3n, rowsRejected: 2n });
  });
});
