import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRun } from "../services/runs";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { listDestinationRows, MAX_VALUE_CHARS, ZDestinationRowsInput } from "./destination-rows";
import { getLineage } from "./lineage";

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

/** 5 records; "bad" breaks the pattern, so 4 are loaded. */
const CSV = ["station,aqi", "AB001,42", "AB002,17", "bad,3", "AB004,99", "AB005,250", ""].join("\n");

async function runInto(table: string) {
  const file = await env.upload("air.csv", CSV);
  const pipeline = await env.pipeline({
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
      { id: "val", type: "validate", config: { rules: [{ field: "station", pattern: "[A-Z]{2}[0-9]{3}" }] } },
      { id: "dst", type: "destination.postgres", config: { table, mode: "append" } },
    ],
    edges: [
      { from: "src", to: "val" },
      { from: "val", to: "dst" },
    ],
  });
  const run = async () => {
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    expect((await env.waitForRun(runId)).status).toBe("succeeded");
    return runId;
  };
  return { run };
}

/** Every row of a table, by paging through it `limit` rows at a time. */
async function pageThrough(table: string, limit: number) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = await listDestinationRows(env.ctx, { table, limit, cursor });
    if (page.status !== "loaded") throw new Error(`${table} is ${page.status}`);
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

describe("the rows a destination loaded", () => {
  it("lists the table's rows with the run that wrote each, newest run first, and lineage leading to the source line", async () => {
    const { run } = await runInto("loaded_air");
    const first = await run();
    const second = await run();

    const page = await listDestinationRows(env.ctx, { table: "loaded_air", limit: 4 });
    if (page.status !== "loaded") throw new Error(page.status);
    expect(page.table).toBe('"public"."loaded_air"');
    expect(page.columns).toEqual([
      { name: "station", type: "text" },
      { name: "aqi", type: "bigint" },
    ]);
    expect(page.total).toBe(8);
    // Newest first: the second (append) run's rows, the file's last record first.
    expect(page.runIds).toEqual([second, second, second, second]);
    expect(page.rows).toEqual([
      ["AB005", "250"],
      ["AB004", "99"],
      ["AB002", "17"],
      ["AB001", "42"],
    ]);
    expect(page.nextCursor).not.toBeNull();

    const next = await listDestinationRows(env.ctx, { table: "loaded_air", limit: 4, cursor: page.nextCursor! });
    if (next.status !== "loaded") throw new Error(next.status);
    expect(next.runIds).toEqual([first, first, first, first]);
    expect(next.total).toBeNull();
    expect(next.nextCursor).toBeNull();

    // A row's lineage id resolves to the file and line it came from.
    const lineage = await getLineage(env.ctx, page.lineageIds[1]!);
    expect(lineage.source).toMatchObject({ nodeId: "src", file: "air.csv", line: 5 });
    expect(lineage.record).toMatchObject({ station: "AB004", aqi: "99" });
  });

  it("says when the table does not exist yet, or holds nothing this workspace's runs loaded", async () => {
    expect(await listDestinationRows(env.ctx, { table: "not_there" })).toEqual({ status: "missing", table: '"public"."not_there"' });
    expect(await listDestinationRows(env.ctx, { schema: "nowhere", table: "t" })).toEqual({ status: "missing", table: '"nowhere"."t"' });
    await env.db.pool.query("CREATE TABLE plain_table (id int)");
    expect(await listDestinationRows(env.ctx, { table: "plain_table" })).toEqual({ status: "notLoaded", table: '"public"."plain_table"' });
  });

  it("quotes any name, refuses what cannot be one, and cursors it did not hand out", async () => {
    expect(await listDestinationRows(env.ctx, { table: 'x"; DROP TABLE runs; --' })).toEqual({ status: "missing", table: '"public"."x""; DROP TABLE runs; --"' });
    expect(ZDestinationRowsInput.safeParse({ table: "" }).success).toBe(false);
    expect(ZDestinationRowsInput.safeParse({ table: "t".repeat(64) }).success).toBe(false);
    expect(ZDestinationRowsInput.safeParse({ table: "t", cursor: "(1,1) OR true" }).success).toBe(false);
  });

  it("pages through a large table once per row, reading only the blocks near each page", async () => {
    const runId = await (await runInto("for_run_id")).run();
    // ~2,000 blocks; the newest 40,000 rows then deleted, so the first page must look further back.
    await env.db.pool.query(
      `CREATE TABLE big_loaded AS
      SELECT g AS n, repeat('x', 40) AS pad, 'lineage:' || g AS _sluice_lineage_id, $1::uuid AS _sluice_run_id
        FROM generate_series(1, 200000) g`,
      [runId],
    );
    await env.db.pool.query("DELETE FROM big_loaded WHERE n > 160000");
    const first = await listDestinationRows(env.ctx, { table: "big_loaded", limit: 3 });
    if (first.status !== "loaded") throw new Error(first.status);
    expect(first.rows.map((r) => r[0])).toEqual(["160000", "159999", "159998"]);
    expect(first.total).toBe(160000);

    await env.db.pool.query("CREATE TABLE small_loaded AS SELECT n, _sluice_lineage_id, _sluice_run_id FROM big_loaded WHERE n <= 1234");
    const pages = await pageThrough("small_loaded", 100);
    const seen = pages.flatMap((p) => p.rows.map((r) => Number(r[0])));
    expect(seen).toHaveLength(1234);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(1234);
  });

  it("cuts long values, saying so", async () => {
    const runId = await (await runInto("for_wide_run_id")).run();
    await env.db.pool.query(`CREATE TABLE wide_loaded (doc jsonb, _sluice_lineage_id text, _sluice_run_id uuid)`);
    await env.db.pool.query(`INSERT INTO wide_loaded VALUES (jsonb_build_object('text', repeat('y', 2000)), 'l', $1)`, [runId]);
    const page = await listDestinationRows(env.ctx, { table: "wide_loaded" });
    if (page.status !== "loaded") throw new Error(page.status);
    const value = page.rows[0]![0]!;
    expect(value).toHaveLength(MAX_VALUE_CHARS + 1);
    expect(value.endsWith("…")).toBe(true);
  });
});
