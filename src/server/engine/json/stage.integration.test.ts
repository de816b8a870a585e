import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TColumnType } from "@/nodes/contract";
import type { TJsonFormat } from "@/nodes/sources/json";
import { ident, sql } from "@/nodes/sql";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import type { TViolation } from "../staging/quarantine";
import { createJsonStagingTable, stageJson, ZJsonCheckpoint, type TJsonCheckpoint, type TStageJsonResult } from "./stage";

let db: TestDatabase;
let client: pg.PoolClient;
let dir: string;
let workspaceId: string;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  client = await db.pool.connect();
  await client.query("SET TimeZone TO 'UTC'");
  dir = await mkdtemp(path.join(tmpdir(), "sluice-json-"));
  workspaceId = randomUUID();
  await client.query("INSERT INTO workspaces (id, name) VALUES ($1, 'json tests')", [workspaceId]);
});

afterAll(async () => {
  client?.release();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Load = { name: string; type: TColumnType }[];
interface Staged {
  result: TStageJsonResult;
  rows: Record<string, unknown>[];
  quarantine: { lineage_id: string; record: Record<string, string | null>; errors: TViolation[] }[];
  checkpoints: TJsonCheckpoint[];
}

async function writeTemp(content: string | Buffer): Promise<string> {
  const file = path.join(dir, `f${++counter}.json`);
  await writeFile(file, content);
  return file;
}

async function stage(content: string | Buffer, format: TJsonFormat, load: Load, options: { flatten?: boolean; chunkRows?: number } = {}): Promise<Staged> {
  const filePath = await writeTemp(content);
  const table = `staging ${counter}`;
  const target = sql`${ident(table)}`;
  await createJsonStagingTable(client, target, load);
  const runId = randomUUID();
  const checkpoints: TJsonCheckpoint[] = [];
  const result = await stageJson({
    client,
    filePath,
    format,
    flatten: options.flatten,
    load,
    target,
    lineagePrefix: "run:src:",
    quarantine: { workspaceId, runId, nodeId: "src" },
    resumeFrom: null,
    chunkRows: options.chunkRows,
    saveCheckpoint: async (_client, checkpoint) => {
      checkpoints.push(checkpoint);
    },
  });
  return { result, rows: await rowsOf(table), quarantine: await quarantineOf(runId), checkpoints };
}

async function rowsOf(table: string): Promise<Record<string, unknown>[]> {
  const { rows } = await client.query(`SELECT * FROM ${client.escapeIdentifier(table)} ORDER BY split_part(_sluice_lineage_id, ':', 3)::int`);
  return rows;
}

async function quarantineOf(runId: string): Promise<Staged["quarantine"]> {
  const { rows } = await client.query(
    "SELECT lineage_id, record, errors FROM quarantined_records WHERE run_id = $1 ORDER BY split_part(lineage_id, ':', 3)::int",
    [runId],
  );
  return rows;
}

const ordinalOf = (lineageId: unknown) => Number(String(lineageId).split(":")[2]);
const messages = (q: Staged["quarantine"]) => q.map((r) => r.errors.map((e) => e.message));

describe("stageJson", () => {
  it("loads an array of nested objects by path, typed, with each record's 0-based index and a content hash", async () => {
    const { result, rows, quarantine } = await stage(
      '\ufeff[\n {"id": 1, "name": "Caf\\u00e9 \\ud83d\\ude00", "address": {"city": "Oslo", "geo": {"lat": 59.91}}, "tags": ["a", 1], "ok": true, "day": "2024-02-29", "at": "2024-03-01T10:00:00Z"},\n' +
        ' {"id": "2", "name": "", "address": {"city": null}, "tags": [], "ok": "no", "at": "2024-03-01 12:30+02:00", "extra": {"x": 1}},\n' +
        ' {"id": 3, "address": null, "address.geo.lat": -1e-3, "meta": {"k": [1, {"z": null}]}}\n]\n',
      "array",
      [
        { name: "id", type: "integer" },
        { name: "name", type: "string" },
        { name: "address.city", type: "string" },
        { name: "address.geo.lat", type: "number" },
        { name: "tags", type: "json" },
        { name: "ok", type: "boolean" },
        { name: "day", type: "date" },
        { name: "at", type: "timestamp" },
        { name: "meta", type: "json" },
      ],
    );
    expect(quarantine).toEqual([]);
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0, ignoredFields: 1, ignoredExamples: ["extra"] });
    expect(rows.map((r) => ({ ...r, _sluice_lineage_id: undefined }))).toEqual([
      {
        id: "1",
        name: "Café 😀",
        "address.city": "Oslo",
        "address.geo.lat": 59.91,
        tags: ["a", 1],
        ok: true,
        day: new Date("2024-02-29T00:00:00Z"),
        at: new Date("2024-03-01T10:00:00Z"),
        meta: null,
        _sluice_lineage_id: undefined,
      },
      { id: "2", name: "", "address.city": null, "address.geo.lat": null, tags: [], ok: false, day: null, at: new Date("2024-03-01T10:30:00Z"), meta: null, _sluice_lineage_id: undefined },
      { id: "3", name: null, "address.city": null, "address.geo.lat": -0.001, tags: null, ok: null, day: null, at: null, meta: { k: [1, { z: null }] }, _sluice_lineage_id: undefined },
    ]);
    expect(rows.map((r) => r._sluice_lineage_id)).toEqual([
      expect.stringMatching(/^run:src:0:[0-9a-f]{8}$/),
      expect.stringMatching(/^run:src:1:[0-9a-f]{8}$/),
      expect.stringMatching(/^run:src:2:[0-9a-f]{8}$/),
    ]);
  });

  it("reads NDJSON with 1-based line numbers, quarantining lines that are not JSON objects with their raw text", async () => {
    const { result, rows, quarantine } = await stage(
      '{"a": 1, "b": {"c": "x"}}\r\n\n   \n{"a": 2}\n{"a": 3,}\n[1, 2]\n"just text"\n{"a": 4} trailing\n{"a": 5}',
      "ndjson",
      [
        { name: "a", type: "integer" },
        { name: "b.c", type: "string" },
      ],
    );
    expect(result).toMatchObject({ rowsIn: 7, rowsOut: 3, rowsRejected: 4 });
    expect(rows.map((r) => [ordinalOf(r._sluice_lineage_id), r.a, r["b.c"]])).toEqual([
      [1, "1", "x"],
      [4, "2", null],
      [9, "5", null],
    ]);
    expect(quarantine.map((q) => [ordinalOf(q.lineage_id), q.record, q.errors.map((e) => e.rule)])).toEqual([
      [5, { _raw: '{"a": 3,}' }, ["json"]],
      [6, { _raw: "[1, 2]" }, ["notAnObject"]],
      [7, { _raw: '"just text"' }, ["notAnObject"]],
      [8, { _raw: '{"a": 4} trailing' }, ["json"]],
    ]);
    expect(messages(quarantine)).toEqual([
      ["line 5: not valid JSON (expected a key in double quotes but found \"}\", column 9)"],
      ["line 6: the record is an array, not an object"],
      ["line 7: the record is a text, not an object"],
      ['line 8: not valid JSON (unexpected "t" after the value, column 10)'],
    ]);
  });

  it("quarantines values that do not fit their column, with every violation and the record's values", async () => {
    const { result, rows, quarantine } = await stage(
      '[{"n":9223372036854775807,"x":1e400,"s":"ok","j":{"a":1}},\n' +
        ' {"n":99999999999999999999,"x":"abc","s":{"nested":true},"j":null},\n' +
        ' {"n":true,"x":[1],"s":"fine","j":1}]',
      "array",
      [
        { name: "n", type: "integer" },
        { name: "x", type: "number" },
        { name: "s", type: "string" },
        { name: "j", type: "json" },
      ],
    );
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 0, rowsRejected: 3 });
    expect(rows).toEqual([]);
    expect(quarantine.map((q) => q.record)).toEqual([
      { n: "9223372036854775807", x: "1e400", s: "ok", j: '{"a":1}' },
      { n: "99999999999999999999", x: "abc", s: '{"nested":true}', j: null },
      { n: "true", x: "[1]", s: "fine", j: "1" },
    ]);
    expect(messages(quarantine)).toEqual([
      ['x: "1e400" is out of range for a number (a double has about 1e-308 to 1e308)'],
      [
        'n: "99999999999999999999" is out of range for an integer (-9223372036854775808 to 9223372036854775807)',
        'x: "abc" is not a number',
        "s: an object is not a text (set the column's type to json to keep it)",
      ],
      ['n: "true" is not an integer', "x: an array is not a number (set the column's type to json to keep it)"],
    ]);
  });

  it("refuses what PostgreSQL cannot store: NUL, unpaired surrogates, numbers past numeric's limits", async () => {
    const { result, rows, quarantine } = await stage(
      '{"s": "a\\u0000b"}\n{"s": "\\ud800"}\n{"j": {"big": 1e999999999999}}\n{"j": "\\u0000"}\n{"j": {"a": ["\\ud800"]}}\n' +
        '{"s": "fine", "j": [123456789012345678901234567890, 1e5, "\\u00e9"]}\n',
      "ndjson",
      [
        { name: "s", type: "string" },
        { name: "j", type: "json" },
      ],
    );
    expect(result).toMatchObject({ rowsIn: 6, rowsOut: 1, rowsRejected: 5 });
    expect(messages(quarantine)).toEqual([
      ["s: the text contains a NUL character, which PostgreSQL cannot store"],
      [expect.stringContaining("unpaired surrogate")],
      [expect.stringContaining("a number out of range")],
      [expect.stringContaining("\\u0000 cannot be stored")],
      [expect.stringContaining("a \\u surrogate escape is not paired")],
    ]);
    // pg parses jsonb with JSON.parse: the long number arrives as the nearest double.
    expect(rows.map((r) => r.j)).toEqual([[Number("123456789012345678901234567890"), 100000, "é"]]);
  });

  it("quarantines a record whose value sits where the source expects an object", async () => {
    const { quarantine } = await stage('[{"address": {"city": "Oslo"}}, {"address": "Oslo"}]', "array", [{ name: "address.city", type: "string" }]);
    expect(quarantine).toEqual([
      {
        lineage_id: expect.stringMatching(/^run:src:1:/),
        record: { "address.city": null, address: "Oslo" },
        errors: [{ field: "address", rule: "type", value: "Oslo", message: "address: a text where an object is expected (this source reads address.city from it)" }],
      },
    ]);
  });

  it("keeps objects whole without flattening", async () => {
    const { rows } = await stage('[{"a.b": 1, "a": {"b": 2}}]', "array", [
      { name: "a.b", type: "integer" },
      { name: "a", type: "json" },
    ], { flatten: false });
    expect(rows.map((r) => [r["a.b"], r.a])).toEqual([["1", { b: 2 }]]);
  });

  it("quarantines records that are not objects in an array, and invalid UTF-8", async () => {
    const bad = Buffer.concat([Buffer.from('[{"s": "ok"}, 42, null, "x", [1], {"s": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]')]);
    const { result, quarantine } = await stage(bad, "array", [{ name: "s", type: "string" }]);
    expect(result).toMatchObject({ rowsIn: 6, rowsOut: 1, rowsRejected: 5 });
    expect(quarantine.map((q) => [ordinalOf(q.lineage_id), q.errors[0]?.rule, q.errors[0]?.message])).toEqual([
      [1, "notAnObject", "index 1: the record is a number, not an object"],
      [2, "notAnObject", "index 2: the record is null, not an object"],
      [3, "notAnObject", "index 3: the record is a text, not an object"],
      [4, "notAnObject", "index 4: the record is an array, not an object"],
      [5, "encoding", "index 5: the record is not valid UTF-8"],
    ]);
  });

  it("reads an empty array as zero rows", async () => {
    const { result } = await stage(" [ ] \n", "array", [{ name: "a", type: "string" }]);
    expect(result).toMatchObject({ rowsIn: 0, rowsOut: 0, rowsRejected: 0 });
  });

  it.each([
    ["", "array", "The file is empty"],
    ["  \n ", "ndjson", "only whitespace"],
    ['[{"a": 1},\n {"a": 2},\n {"a": 3', "array", "The file is not valid JSON at line 3, column 9 (byte 30): the file ends inside the record at index 2: it is cut off"],
    ['[{"a": 1},\n {"a": 2}\n', "array", "line 3, column 1 (byte 21): the file ends inside the array, after 2 records: it is cut off"],
    ['[{"a": 1},\n  {"a": 2 "b": 3}]', "array", "line 2, column 11 (byte 21): expected ',' or '}' but found \"\\\"\" (in the record at index 1)"],
    ['[{"a": 1}] {"a": 2}', "array", "unexpected \"{\" after the array's closing ']'"],
    ['[{"a": 1} {"a": 2}]', "array", "expected ',' or ']' after the record at index 0"],
    ['{"a": 1}\n', "array", "expected '[' (a JSON array) but found \"{\""],
    ['[{"a": 1}]', "ndjson", "it is one JSON array, not NDJSON"],
    [Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x5b]), "array", "expected '[' (a JSON array) but found the byte 0x1f"],
  ] as const)("fails with a message saying where: %j as %s", async (content, format, message) => {
    await expect(stage(content, format, [{ name: "a", type: "integer" }], { chunkRows: 1 })).rejects.toThrow(message);
    const { rows } = await client.query("SELECT 1 AS alive");
    expect(rows).toEqual([{ alive: 1 }]);
  });

  it("streams a file far larger than its read window, records crossing every read boundary", async () => {
    const count = 30_000;
    const parts = ["["];
    for (let i = 0; i < count; i++) parts.push(`${i ? "," : ""}\n  {"i": ${i}, "pad": "${"é".repeat(i % 50)}", "o": {"v": ${i % 7 === 0 ? '"bad"' : i}}}`);
    parts.push("\n]");
    const { result, checkpoints } = await stage(parts.join(""), "array", [
      { name: "i", type: "integer" },
      { name: "pad", type: "string" },
      { name: "o.v", type: "integer" },
    ], { chunkRows: 7_000 });
    expect(result).toMatchObject({ rowsIn: count, rowsRejected: Math.ceil(count / 7), rowsOut: count - Math.ceil(count / 7) });
    expect(checkpoints).toHaveLength(5);
    const sum = await client.query(`SELECT count(DISTINCT i)::int AS n, sum(i)::text AS s FROM ${client.escapeIdentifier(`staging ${counter}`)}`);
    expect(sum.rows[0]).toEqual({ n: result.rowsOut, s: String(Array.from({ length: count }, (_, i) => i).filter((i) => i % 7 !== 0).reduce((a, b) => a + b, 0)) });
  });
});

describe("resume", () => {
  const load: Load = [
    { name: "id", type: "integer" },
    { name: "name", type: "string" },
    { name: "o.at", type: "timestamp" },
  ];
  function generate(rows: number, format: TJsonFormat): string {
    const records: string[] = [];
    for (let i = 0; i < rows; i++) {
      if (i % 17 === 0) records.push(`{"id": "x${i}", "name": "bad"}`);
      else if (i % 23 === 0) records.push(format === "ndjson" ? `{"id": ${i}, "name": ` : `[${i}]`);
      else records.push(`{"id": ${i}, "name": "name \\u00e9 ${i}", "o": {"at": "2024-01-${String((i % 28) + 1).padStart(2, "0")}T12:00Z"}, "x": ${i}}`);
    }
    return format === "array" ? `[\n${records.join(",\n")}\n]\n` : `${records.join("\n")}\n`;
  }

  describe.each(["array", "ndjson"] as const)("%s", (format) => {
    const content = generate(1000, format);
    let clean: Staged;
    beforeAll(async () => {
      clean = await stage(content, format, load, { chunkRows: 100 });
    });

    it("a clean run commits one chunk per 100 records", () => {
      expect(clean.checkpoints).toHaveLength(11);
      expect(clean.result).toMatchObject({ rowsIn: 1000, rowsRejected: 59 + 41, ignoredFields: 1000 - 59 - 41, ignoredExamples: ["x"] });
      expect(clean.checkpoints.at(-1)).toMatchObject({ byteOffset: Buffer.byteLength(content), ordinal: format === "array" ? 1000 : 1001 });
    });

    it.each([1, 2, 5, 11])("a run killed in chunk %i resumes to exactly the rows of a clean run", async (failOnChunk) => {
      const filePath = await writeTemp(content);
      const table = `resumed ${format} ${failOnChunk}`;
      const target = sql`${ident(table)}`;
      await createJsonStagingTable(client, target, load);
      const runId = randomUUID();
      // What node_runs.checkpoint would hold: JSON, parsed again on resume.
      let stored: unknown = null;
      const run = (resumeFrom: TJsonCheckpoint | null, failOn: number) => {
        let chunk = 0;
        return stageJson({
          client,
          filePath,
          format,
          load,
          target,
          lineagePrefix: "run:src:",
          quarantine: { workspaceId, runId, nodeId: "src" },
          resumeFrom,
          chunkRows: 100,
          saveCheckpoint: async (c, checkpoint) => {
            await c.query("SELECT 1");
            if (++chunk === failOn) throw new Error("killed");
            stored = JSON.parse(JSON.stringify(checkpoint));
          },
        });
      };
      await expect(run(null, failOnChunk)).rejects.toThrow("killed");
      const resumed = await run(stored === null ? null : ZJsonCheckpoint.parse(stored), 0);

      expect(resumed).toEqual(clean.result);
      expect(await rowsOf(table)).toEqual(clean.rows);
      expect(await quarantineOf(runId)).toEqual(clean.quarantine);
    });
  });
});
