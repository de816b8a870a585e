import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { UploadRejectedError } from "../errors";
import { startRun } from "../services/runs";
import { createEngineEnvironment } from "./testing/engine-harness";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;
let tables = 0;

beforeAll(async () => {
  env = await createEngineEnvironment();
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

/** Uploads `content`, runs it from a CSV source straight into a new table, and returns what happened. */
async function load(content: string | Buffer, sourceConfig: Record<string, unknown> = {}) {
  const file = await env.upload("input.csv", content);
  const table = `bad_input_${++tables}`;
  const pipeline = await env.pipeline({
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${file.id}`, ...sourceConfig } },
      { id: "dst", type: "destination.postgres", config: { table, mode: "append" } },
    ],
    edges: [{ from: "src", to: "dst" }],
  });
  const run = await env.waitForRun((await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId);
  const quarantine = await env.db.pool.query<{ lineage_id: string; record: Record<string, unknown>; errors: { rule: string; message: string }[] }>(
    "SELECT lineage_id, record, errors FROM quarantined_records WHERE run_id = $1 ORDER BY id",
    [run.id],
  );
  const loaded = run.status === "succeeded" ? (await env.db.pool.query(`SELECT * FROM "${table}"`)).rows : [];
  return { run, quarantine: quarantine.rows, loaded, table };
}

const source = (run: Awaited<ReturnType<typeof load>>["run"]) => run.nodes.find((n) => n.nodeId === "src")!;

describe("bad input never crashes a run or loses a record", () => {
  it("quarantines ragged rows with their raw line and loads the rest", async () => {
    const { run, quarantine, loaded } = await load("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n");
    expect(run.status).toBe("succeeded");
    expect(loaded).toHaveLength(2);
    expect(quarantine.map((q) => q.errors[0]!.rule)).toEqual(["columnCount", "columnCount"]);
    expect(quarantine[0]!.lineage_id).toMatch(/:src:3:/);
    expect(Number(source(run).rowsIn)).toBe(loaded.length + quarantine.length);
  });

  it("quarantines everything after an unbalanced quote as one record, with a reason", async () => {
    const { run, quarantine, loaded } = await load('name,note\nada,fine\ngrace,"never closed\nlin,more\n');
    expect(run.status).toBe("succeeded");
    expect(loaded).toHaveLength(1);
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]!.errors[0]!.message).toMatch(/quote/i);
  });

  it("refuses an empty file at upload with a clear message", async () => {
    await expect(env.upload("empty.csv", "")).rejects.toThrow(UploadRejectedError);
    await expect(env.upload("empty.csv", "")).rejects.toThrow(/empty/);
  });

  it("runs a header-only file to an empty table", async () => {
    const { run, loaded, quarantine } = await load("id,name\n");
    expect(run.status).toBe("succeeded");
    expect([loaded.length, quarantine.length]).toEqual([0, 0]);
  });

  it("quarantines bytes that are not UTF-8 with the encoding rule, and reads them right as Latin-1", async () => {
    const latin1 = Buffer.from("city,temp\nZürich,3\nMünchen,4\n", "latin1");
    const asUtf8 = await load(latin1, { encoding: "utf-8" });
    expect(asUtf8.run.status).toBe("succeeded");
    expect(asUtf8.quarantine.map((q) => q.errors[0]!.rule)).toEqual(["encoding", "encoding"]);
    const asLatin1 = await load(latin1, { encoding: "latin1" });
    expect(asLatin1.loaded.map((r) => r.city)).toEqual(["Zürich", "München"]);
  });

  it("refuses a binary file at upload, and turns binary garbage after a text start into quarantined records or a failed node with a message, never a crash", async () => {
    const garbage = Buffer.alloc(64 * 1024);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;
    await expect(load(garbage)).rejects.toThrow(/^input\.csv looks like a binary file, not text: /);
    const textStart = Buffer.from(`id,reading\n${"1,10\n".repeat(400)}`);
    const { run, quarantine, loaded } = await load(Buffer.concat([textStart, garbage]));
    if (run.status === "failed") expect(run.error).toMatch(/^src: .{10,}/);
    else expect(quarantine.length + loaded.length).toBe(Number(source(run).rowsIn));
    expect(["succeeded", "failed"]).toContain(run.status);
  });

  it("keeps column names with spaces, quotes and SQL keywords, and values that look like SQL", async () => {
    const { run, loaded, table } = await load('"first name","say ""hi""",select,"drop"\nada,hello,1,"\'; DROP TABLE runs; --"\n');
    expect(run.status).toBe("succeeded");
    expect(loaded).toEqual([
      expect.objectContaining({ "first name": "ada", 'say "hi"': "hello", select: "1", drop: "'; DROP TABLE runs; --" }),
    ]);
    const columns = await env.db.pool.query("SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position", [table]);
    expect(columns.rows.map((c) => c.column_name)).toEqual(["first name", 'say "hi"', "select", "drop", "_sluice_lineage_id", "_sluice_run_id"]);
    expect((await env.db.pool.query("SELECT count(*)::int AS n FROM runs")).rows[0].n).toBeGreaterThan(0);
  });

  it("quarantines a value that does not fit its column's type instead of failing the load", async () => {
    const { run, quarantine, loaded } = await load("id,amount\n1,10\n2,12\n", { columns: { amount: "integer" } });
    expect(run.status).toBe("succeeded");
    expect(loaded).toHaveLength(2);
    const mixed = await load("id,amount\n1,10\n2,twelve\n", { columns: { amount: "integer" } });
    expect(mixed.loaded).toHaveLength(1);
    expect(mixed.quarantine[0]!.errors[0]).toMatchObject({ rule: "type", message: expect.stringContaining("twelve") });
    expect(quarantine).toHaveLength(0);
  });
});
