import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "../jobs/worker";
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

/** Runs `nodes` (their source reading `file`) into `table` and returns the run, its quarantine and the loaded rows. */
async function run(table: string, nodes: Record<string, unknown>[]) {
  const ids = nodes.map((n) => n.id as string);
  const pipeline = await env.pipeline({
    nodes: [...nodes, { id: "dst", type: "destination.postgres", config: { table, mode: "append" } }],
    edges: [...ids, "dst"].slice(1).map((to, i) => ({ from: ids[i], to })),
  });
  const finished = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId, 180_000);
  const quarantine = await env.db.pool.query<{ lineage_id: string; errors: { field: string; rule: string; value: string; message: string }[] }>(
    "SELECT lineage_id, errors FROM quarantined_records WHERE run_id = $1 ORDER BY id",
    [finished.id],
  );
  return { run: finished, quarantine: quarantine.rows };
}

async function columnTypes(table: string): Promise<Record<string, string>> {
  const { rows } = await env.db.pool.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND column_name NOT LIKE '\\_sluice%'",
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}

describe("type inference never changes a value", () => {
  it("keeps codes, phone numbers and account numbers as text, exactly as the CSV wrote them", async () => {
    const csv =
      "zip,phone,sku,account,price,qty,amount_de,city\n" +
      '00501,+14155550123,007,4111111111111111,19.90,3,"1.234,50",Holtsville\n' +
      '10001,0471234567,042,5500000000000004,5.00,12,"12,00",New York\n' +
      '90210,+4712345678,123,340000000000009,0.5,0,"0,99",Beverly Hills\n';
    const file = await env.upload("codes.csv", csv);
    expect(Object.fromEntries(file.columns.map((c) => [c.name, c.type]))).toEqual({
      zip: "string",
      phone: "string",
      sku: "string",
      account: "string",
      price: "number",
      qty: "integer",
      amount_de: "string",
      city: "string",
    });
    const { run: finished, quarantine } = await run("codes", [{ id: "src", type: "source.csv", config: { file: `upload:${file.id}` } }]);
    expect(finished.status).toBe("succeeded");
    expect(quarantine).toEqual([]);
    const loaded = await env.db.pool.query("SELECT zip, phone, sku, account, price, qty, amount_de FROM codes ORDER BY city");
    expect(loaded.rows).toEqual([
      { zip: "90210", phone: "+4712345678", sku: "123", account: "340000000000009", price: 0.5, qty: "0", amount_de: "0,99" },
      { zip: "00501", phone: "+14155550123", sku: "007", account: "4111111111111111", price: 19.9, qty: "3", amount_de: "1.234,50" },
      { zip: "10001", phone: "0471234567", sku: "042", account: "5500000000000004", price: 5, qty: "12", amount_de: "12,00" },
    ]);
    expect(await columnTypes("codes")).toMatchObject({ zip: "text", phone: "text", sku: "text", account: "text", price: "double precision", qty: "bigint" });
  });

  it("quarantines the one ZIP code with a leading zero in a million rows, far past the sample, instead of loading it as 501", async () => {
    const rows = 1_000_000;
    const odd = 900_000;
    const parts: string[] = ["id,zip\n"];
    for (let i = 0; i < rows; i++) parts.push(`${i},${i === odd ? "00501" : String(10000 + (i % 89999))}\n`);
    const file = await env.upload("zips.csv", parts.join(""));
    // The sample (the file's first megabyte) shows only five-digit numbers.
    expect(file.columns).toEqual([
      { name: "id", type: "integer" },
      { name: "zip", type: "integer" },
    ]);
    // Through the fused path: a validate node right after the source checks while the file streams.
    const { run: finished, quarantine } = await run("zips", [
      { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
      { id: "val", type: "validate", config: { rules: [{ field: "zip", required: true }] } },
    ]);
    expect(finished.status).toBe("succeeded");
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]!.lineage_id).toMatch(new RegExp(`:src:${odd + 2}:`));
    expect(quarantine[0]!.errors).toEqual([
      {
        field: "zip",
        rule: "type",
        value: "00501",
        message:
          'zip: "00501" would not keep its exact text as an integer (it has a leading zero). The column\'s type was inferred ' +
          "from a sample of the file; set it to string to keep every value as written, or to integer to accept the change",
      },
    ]);
    const counts = await env.db.pool.query<{ n: number; five01: number }>("SELECT count(*)::int AS n, count(*) FILTER (WHERE zip = 501)::int AS five01 FROM zips");
    expect(counts.rows[0]).toEqual({ n: rows - 1, five01: 0 });
    const source = finished.nodes.find((n) => n.nodeId === "src")!;
    expect(Number(source.rowsIn)).toBe(rows);
  });

  it("loads that value once the user sets the column's type: a chosen type converts, an inferred one never does", async () => {
    const parts: string[] = ["id,zip\n"];
    for (let i = 0; i < 120_000; i++) parts.push(`${i},${i === 100_000 ? "00501" : String(10000 + (i % 89999))}\n`);
    const file = await env.upload("zips-chosen.csv", parts.join(""));
    const { run: finished, quarantine } = await run("zips_chosen", [
      { id: "src", type: "source.csv", config: { file: `upload:${file.id}`, columns: { zip: "integer" } } },
    ]);
    expect(finished.status).toBe("succeeded");
    expect(quarantine).toEqual([]);
    const loaded = await env.db.pool.query("SELECT zip FROM zips_chosen WHERE id = 100000");
    expect(loaded.rows).toEqual([{ zip: "501" }]);
  });

  it("applies the same rule to JSON: codes in strings stay text, a later code quarantines its record", async () => {
    const lines = [
      '{"zip": "00501", "sku": "007", "order": 1234567890123456789, "price": 19.90, "qty": 3}',
      '{"zip": "10001", "sku": "042", "order": 1234567890123456790, "price": 5, "qty": 12}',
    ];
    const small = await env.upload("codes.ndjson", lines.join("\n") + "\n");
    expect(Object.fromEntries(small.columns.map((c) => [c.name, c.type]))).toEqual({ zip: "string", sku: "string", order: "string", price: "number", qty: "integer" });
    const first = await run("json_codes", [{ id: "src", type: "source.json", config: { file: `upload:${small.id}` } }]);
    expect(first.run.status).toBe("succeeded");
    const loaded = await env.db.pool.query('SELECT zip, sku, "order" FROM json_codes ORDER BY zip');
    expect(loaded.rows).toEqual([
      { zip: "00501", sku: "007", order: "1234567890123456789" },
      { zip: "10001", sku: "042", order: "1234567890123456790" },
    ]);

    // Past the first megabyte (the sample), one record holds a code the sample never showed.
    const many: string[] = [];
    for (let i = 0; i < 60_000; i++) many.push(`{"id": ${i}, "zip": "${i === 50_000 ? "00501" : 10000 + i}"}`);
    const big = await env.upload("zips.ndjson", many.join("\n") + "\n");
    expect(big.columns).toEqual([
      { name: "id", type: "integer" },
      { name: "zip", type: "integer" },
    ]);
    const second = await run("json_zips", [{ id: "src", type: "source.json", config: { file: `upload:${big.id}` } }]);
    expect(second.run.status).toBe("succeeded");
    expect(second.quarantine.map((q) => q.errors.map((e) => [e.field, e.rule, e.value]))).toEqual([[["zip", "type", "00501"]]]);
    const count = await env.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM json_zips");
    expect(count.rows[0]!.n).toBe(59_999);
  });
});
