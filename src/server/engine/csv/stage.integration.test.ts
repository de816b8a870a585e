import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TColumnType } from "@/nodes/contract";
import { ident, sql } from "@/nodes/sql";
import { PG_TYPES } from "@/nodes/values";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import type { TCsvFormatInput } from "./format";
import { ZCsvFormat } from "./format";
import type { TViolation } from "../staging/quarantine";
import {
  createStagingTable,
  stageCsv,
  ZCsvCheckpoint,
  type TCsvCheckpoint,
  type TFieldCheck,
  type TStageCsvResult,
} from "./stage";

let db: TestDatabase;
let client: pg.PoolClient;
let dir: string;
let workspaceId: string;
let tableCounter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  client = await db.pool.connect();
  await client.query("SET TimeZone TO 'UTC'");
  dir = await mkdtemp(path.join(tmpdir(), "sluice-csv-"));
  workspaceId = randomUUID();
  await client.query("INSERT INTO workspaces (id, name) VALUES ($1, 'csv tests')", [workspaceId]);
});

afterAll(async () => {
  client?.release();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Staged {
  result: TStageCsvResult;
  rows: Record<string, unknown>[];
  quarantine: { lineage_id: string; record: Record<string, string | null>; errors: TViolation[] }[];
  checkpoints: TCsvCheckpoint[];
}

interface StageOptions {
  format?: TCsvFormatInput;
  fileColumns: string[];
  load?: { name: string; type: TColumnType; sourceIndex?: number }[];
  fieldChecks?: Map<number, TFieldCheck[]>;
  rejectNonEmpty?: number[];
  chunkRows?: number;
}

async function stage(content: string | Buffer, options: StageOptions): Promise<Staged> {
  const file = path.join(dir, `f${++tableCounter}.csv`);
  await writeFile(file, content);
  const table = `staging ${tableCounter}`;
  const target = sql`${ident(table)}`;
  const wanted: { name: string; type: TColumnType; sourceIndex?: number }[] =
    options.load ?? options.fileColumns.map((name) => ({ name, type: "string" }));
  const load = wanted.map((c, i) => ({ ...c, sourceIndex: c.sourceIndex ?? i }));
  await createStagingTable(client, target, load);
  const runId = randomUUID();
  const checkpoints: TCsvCheckpoint[] = [];
  const result = await stageCsv({
    client,
    filePath: file,
    format: ZCsvFormat.parse(options.format ?? {}),
    fileColumns: options.fileColumns,
    load,
    fieldChecks: options.fieldChecks,
    rejectNonEmpty: options.rejectNonEmpty,
    target,
    lineagePrefix: "run:src:",
    quarantine: { workspaceId, runId, nodeId: "src" },
    resumeFrom: null,
    saveCheckpoint: async (_client, checkpoint) => {
      checkpoints.push(checkpoint);
    },
    chunkRows: options.chunkRows,
  });
  return { result, rows: await rowsOf(table), quarantine: await quarantineOf(runId), checkpoints };
}

async function rowsOf(table: string): Promise<Record<string, unknown>[]> {
  const { rows } = await client.query(
    `SELECT * FROM ${client.escapeIdentifier(table)} ORDER BY split_part(_sluice_lineage_id, ':', 3)::int`,
  );
  return rows;
}

async function quarantineOf(runId: string): Promise<Staged["quarantine"]> {
  const { rows } = await client.query(
    "SELECT lineage_id, record, errors FROM quarantined_records WHERE run_id = $1 ORDER BY split_part(lineage_id, ':', 3)::int",
    [runId],
  );
  return rows;
}

const lineOf = (lineageId: unknown) => Number(String(lineageId).split(":")[2]);

describe("stageCsv", () => {
  it("loads typed columns and gives every row its physical line and a content hash", async () => {
    const { result, rows, quarantine } = await stage(
      "id,name,score,ok,day,at,doc\n" +
        '1,Ana,1.5,true,2024-02-29,2024-03-01T10:00:00Z,"{""a"":1}"\n' +
        "2,,-2e3,N,,2024-03-01 12:30+02:00,\n" +
        '"3","B ""the"" best",.5,1,0001-01-01,9999-12-31 23:59:59.999999,[1]\n',
      {
        fileColumns: ["id", "name", "score", "ok", "day", "at", "doc"],
        load: [
          { name: "id", type: "integer" },
          { name: "name", type: "string" },
          { name: "score", type: "number" },
          { name: "ok", type: "boolean" },
          { name: "day", type: "date" },
          { name: "at", type: "timestamp" },
          { name: "doc", type: "json" },
        ],
      },
    );
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 3, rowsRejected: 0 });
    expect(result.checksum).toMatch(/^[0-9a-f]{16}$/);
    expect(quarantine).toEqual([]);
    expect(rows.map((r) => ({ ...r, day: r.day === null ? null : String(r.day) }))).toMatchObject([
      { id: "1", name: "Ana", score: 1.5, ok: true, at: new Date("2024-03-01T10:00:00Z"), doc: { a: 1 } },
      { id: "2", name: null, score: -2000, ok: false, day: null, at: new Date("2024-03-01T10:30:00Z"), doc: null },
      { id: "3", name: 'B "the" best', score: 0.5, ok: true, doc: [1] },
    ]);
    expect(rows.map((r) => r._sluice_lineage_id)).toEqual([
      expect.stringMatching(/^run:src:2:[0-9a-f]{8}$/),
      expect.stringMatching(/^run:src:3:[0-9a-f]{8}$/),
      expect.stringMatching(/^run:src:4:[0-9a-f]{8}$/),
    ]);
    const { rows: text } = await client.query(
      `SELECT day::text, at::text FROM ${client.escapeIdentifier(`staging ${tableCounter}`)} WHERE id = 3`,
    );
    expect(text[0]).toEqual({ day: "0001-01-01", at: "9999-12-31 23:59:59.999999+00" });
  });

  it("counts physical lines across quoted line breaks (LF and CRLF)", async () => {
    const { rows } = await stage('a,b\r\n1,"two\r\nlines"\r\n2,"three\nmore\nlines"\n3,x\r\n', {
      fileColumns: ["a", "b"],
    });
    expect(rows.map((r) => [r.a, r.b, lineOf(r._sluice_lineage_id)])).toEqual([
      ["1", "two\r\nlines", 2],
      ["2", "three\nmore\nlines", 4],
      ["3", "x", 7],
    ]);
  });

  it("skips a UTF-8 byte order mark and keeps multi-byte text", async () => {
    const { rows } = await stage(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("name\nZoë 😀\n")]), {
      fileColumns: ["name"],
    });
    expect(rows.map((r) => r.name)).toEqual(["Zoë 😀"]);
  });

  it("reads latin1", async () => {
    const { rows, quarantine } = await stage(Buffer.from("name;city\nJosé;Köln\n", "latin1"), {
      format: { encoding: "latin1", delimiter: ";" },
      fileColumns: ["name", "city"],
    });
    expect(quarantine).toEqual([]);
    expect(rows.map((r) => [r.name, r.city])).toEqual([["José", "Köln"]]);
  });

  it("reads a file whose lines end in CR alone, with the right line numbers", async () => {
    const { rows, quarantine } = await stage('name,city\rAda,London\r"Grace\rHopper",Arlington\rLin,Oslo\r', {
      format: { lineBreak: "cr" },
      fileColumns: ["name", "city"],
    });
    expect(quarantine).toEqual([]);
    expect(rows.map((r) => [r.name, r.city, lineOf(r._sluice_lineage_id)])).toEqual([
      ["Ada", "London", 2],
      ["Grace\rHopper", "Arlington", 3],
      ["Lin", "Oslo", 5],
    ]);
  });

  it("quarantines invalid UTF-8 as an encoding violation with the raw line", async () => {
    const { result, rows, quarantine } = await stage(
      Buffer.concat([Buffer.from("name\nok\n"), Buffer.from("Jos\xe9\n", "latin1"), Buffer.from("fine\n")]),
      { fileColumns: ["name"] },
    );
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 });
    expect(rows.map((r) => r.name)).toEqual(["ok", "fine"]);
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]?.record).toEqual({ _raw: "Jos\ufffd" });
    expect(quarantine[0]?.errors).toEqual([
      expect.objectContaining({ rule: "encoding", message: expect.stringMatching(/^line 3: invalid UTF-8 at byte offset 11 of the file/) }),
    ]);
    expect(lineOf(quarantine[0]?.lineage_id)).toBe(3);
  });

  it("reads files without a header, with another delimiter and quote", async () => {
    const { rows } = await stage("1;'a;b'\n2;'it''s'\n", {
      format: { header: false, delimiter: ";", quote: "'" },
      fileColumns: ["column_1", "column_2"],
      load: [
        { name: "column_1", type: "integer" },
        { name: "column_2", type: "string" },
      ],
    });
    expect(rows.map((r) => [r.column_1, r.column_2, lineOf(r._sluice_lineage_id)])).toEqual([
      ["1", "a;b", 1],
      ["2", "it's", 2],
    ]);
  });

  it("quarantines ragged rows with their raw line", async () => {
    const { result, rows, quarantine } = await stage("a,b,c\n1,2,3\n1,2\n1,2,3,4\n\n5,6,7", {
      fileColumns: ["a", "b", "c"],
    });
    expect(result).toMatchObject({ rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
    expect(rows.map((r) => lineOf(r._sluice_lineage_id))).toEqual([2, 6]);
    expect(quarantine.map((q) => [lineOf(q.lineage_id), q.record, q.errors])).toEqual([
      [3, { _raw: "1,2" }, [{ field: "_raw", rule: "columnCount", value: null, message: "line 3: expected 3 fields, found 2" }]],
      [4, { _raw: "1,2,3,4" }, [{ field: "_raw", rule: "columnCount", value: null, message: "line 4: expected 3 fields, found 4" }]],
    ]);
  });

  it("quarantines the rest of the file as one record after a quote that never closes", async () => {
    const { result, rows, quarantine } = await stage('a,b\n1,ok\n2,"never closed\n3,x\n4,y\n', {
      fileColumns: ["a", "b"],
    });
    expect(result).toMatchObject({ rowsIn: 2, rowsOut: 1, rowsRejected: 1 });
    expect(rows.map((r) => r.a)).toEqual(["1"]);
    expect(quarantine[0]?.record).toEqual({ _raw: '2,"never closed\n3,x\n4,y\n' });
    expect(quarantine[0]?.errors[0]).toMatchObject({
      rule: "columnCount",
      message: expect.stringMatching(/^line 3: a quoted field .* never closed.*4 lines/),
    });
  });

  it("fails with the line when an unclosed quote would make one record of more than 16 MB", async () => {
    const rest = "3,just a normal line of text\n".repeat(700_000);
    await expect(stage(`a,b\n1,ok\n2,"never closed\n${rest}`, { fileColumns: ["a", "b"] })).rejects.toThrow(
      /^line 3: A record is longer than 16 MB, most likely because a quoted field is never closed$/,
    );
  });

  it("treats an empty file and a header-only file as zero rows", async () => {
    for (const content of ["", "a,b\n", "a,b"]) {
      const { result, rows } = await stage(content, { fileColumns: ["a", "b"] });
      expect(result).toEqual({ rowsIn: 0, rowsOut: 0, rowsRejected: 0, checksum: "0000000000000000" });
      expect(rows).toEqual([]);
    }
  });

  it("survives binary garbage: every record is loaded or quarantined", async () => {
    let seed = 42;
    const bytes = Buffer.alloc(200_000);
    for (let i = 0; i < bytes.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    const { result, rows, quarantine } = await stage(Buffer.concat([Buffer.from("a,b\n"), bytes]), {
      fileColumns: ["a", "b"],
      load: [
        { name: "a", type: "integer" },
        { name: "b", type: "string" },
      ],
    });
    expect(result.rowsIn).toBe(result.rowsOut + result.rowsRejected);
    expect(rows).toHaveLength(result.rowsOut);
    expect(quarantine).toHaveLength(result.rowsRejected);
    expect(result.rowsIn).toBeGreaterThan(0);
  });

  it("keeps hostile values as data and quotes hostile column names", async () => {
    const names = ['select', 'a "quoted" name', "with space", "'; DROP TABLE x; --"];
    const { rows } = await stage(`c1,c2,c3,c4\n"'; DROP TABLE x; --",\\N,"a\tb",$1\n`, {
      fileColumns: ["c1", "c2", "c3", "c4"],
      load: names.map((name, i) => ({ name, type: "string" as const, sourceIndex: i })),
    });
    expect(rows).toEqual([
      {
        select: "'; DROP TABLE x; --",
        'a "quoted" name': "\\N",
        "with space": "a\tb",
        "'; DROP TABLE x; --": "$1",
        _sluice_lineage_id: expect.stringMatching(/^run:src:2:/),
      },
    ]);
  });

  it("reports every violation of a record and keeps the whole raw record", async () => {
    const maximum: TFieldCheck = {
      rule: "max",
      check: (value) => (value !== null && Number(value) > 500 ? `aqi: ${value} is above the maximum 500` : null),
    };
    const required: TFieldCheck = {
      rule: "required",
      check: (value) => (value === null ? "station: required value is missing" : null),
    };
    const { result, quarantine } = await stage("station,aqi,day,extra\n,612,2024-02-30,surprise\nA,1e400,2024-01-01,\nB,7,2023-02-29,\n", {
      fileColumns: ["station", "aqi", "day", "extra"],
      load: [
        { name: "station", type: "string" },
        { name: "aqi", type: "number" },
        { name: "day", type: "date" },
      ],
      fieldChecks: new Map([
        [0, [required]],
        [1, [maximum]],
      ]),
      rejectNonEmpty: [3],
    });
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 0, rowsRejected: 3 });
    expect(quarantine[0]?.record).toEqual({ station: null, aqi: "612", day: "2024-02-30", extra: "surprise" });
    expect(quarantine.map((q) => q.errors)).toEqual([
      [
        { field: "station", rule: "required", value: null, message: "station: required value is missing" },
        { field: "aqi", rule: "max", value: "612", message: "aqi: 612 is above the maximum 500" },
        { field: "day", rule: "type", value: "2024-02-30", message: 'day: "2024-02-30" is not a real calendar date' },
        { field: "extra", rule: "unknownField", value: "surprise", message: expect.stringMatching(/^extra: /) },
      ],
      [{ field: "aqi", rule: "type", value: "1e400", message: expect.stringMatching(/^aqi: "1e400" is out of range/) }],
      [{ field: "day", rule: "type", value: "2023-02-29", message: 'day: "2023-02-29" is not a real calendar date' }],
    ]);
  });

  it("quarantines NUL bytes in text and invalid JSON instead of failing the COPY", async () => {
    const { result, quarantine } = await stage(Buffer.from('s,j\n"a\0b",{}\nx,"[1,"\ny,"""\\u0000"""\n'), {
      fileColumns: ["s", "j"],
      load: [
        { name: "s", type: "string" },
        { name: "j", type: "json" },
      ],
    });
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 0, rowsRejected: 3 });
    expect(quarantine.map((q) => q.errors.map((e) => e.message))).toEqual([
      [expect.stringMatching(/^s: .*NUL/)],
      [expect.stringMatching(/^j: "\[1," is not valid JSON/)],
      [expect.stringMatching(/^j: .*\\u0000 cannot be stored/)],
    ]);
    expect(quarantine[0]?.record.s).toBe("a\ufffdb");
  });

  it("stores what jsonb cannot hold as U+FFFD", async () => {
    const odd: TFieldCheck = { rule: "pattern", check: () => "s: half an emoji \ud83d" };
    const { quarantine } = await stage("s\nx\n", { fileColumns: ["s"], fieldChecks: new Map([[0, [odd]]]) });
    expect(quarantine[0]?.errors[0]?.message).toBe("s: half an emoji \ufffd");
  });

  it("refuses a file whose header no longer matches the pipeline's columns", async () => {
    await expect(stage("a,c\n1,2\n", { fileColumns: ["a", "b"] })).rejects.toThrow(/header \(a, c\) does not match .*\(a, b\)/);
    await client.query("ROLLBACK").catch(() => {});
  });
});

/** Every accepted text must load to exactly what PostgreSQL's own cast of the text gives. */
describe("value formats agree with PostgreSQL's casts", () => {
  const cases: Record<Exclude<TColumnType, "string" | "json">, string[]> = {
    integer: ["0", "-0", "+7", "007", "-9223372036854775808", "9223372036854775807", "123456789012345", "1234567890123456"],
    number: [
      "0", "-0", "1.", ".5", "-.5", "1.5e3", "1E-3", "1e+308", "1.7976931348623157e308", "1e-310", "4.9e-324",
      "0e999", "0.1", "0.3", "123456789.123456789", "9007199254740993", "2.2250738585072014e-308", "1e22", "1e23",
      "123456789012345e-22", "3.14159265358979323846",
    ],
    boolean: ["true", "FALSE", "t", "F", "yes", "NO", "y", "N", "1", "0"],
    date: ["2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "1970-01-01", "1999-12-31"],
    timestamp: [
      "2024-03-01T10:00", "2024-03-01 10:00", "2024-03-01T10:00:59", "2024-03-01T10:00:00.1",
      "2024-03-01T10:00:00.123456", "2024-03-01T10:00:00Z", "2024-03-01T10:00+02:00", "2024-03-01T10:00-0530",
      "2024-03-01T10:00:00.5+15", "2024-03-01T23:59:59-15:59", "0001-01-01 00:00", "0001-01-01 00:00+01",
      "9999-12-31 23:59:59.999999", "9999-12-31 23:00-14:30", "1969-12-31 23:59:59.000001", "1999-12-31T23:59:59.999999Z",
    ],
  };
  const json = [
    '{"a": [1, 2.5e3, -0, true, false, null, "x\\"y\\u00e9\\ud83d\\ude00"]}',
    '"text"', "5", "null", "1e400", "9.9e131071", "0.5e-16382", "0e1073741822", "0e-16383",
    "[".repeat(1000) + "]".repeat(1000),
  ];
  it.each([...Object.entries(cases), ["json", json] as const])("%s", async (type, texts) => {
    const quoted = (t: string) => `"${t.replaceAll('"', '""')}"`;
    const body = texts.map((t) => `${quoted(t)},${quoted(t)}`).join("\n");
    const { rows, result } = await stage(`v,t\n${body}\n`, {
      fileColumns: ["v", "t"],
      load: [
        { name: "v", type: type as TColumnType },
        { name: "t", type: "string" },
      ],
    });
    expect(result.rowsRejected).toBe(0);
    expect(rows).toHaveLength(texts.length);
    const pgType = PG_TYPES[type as TColumnType];
    const { rows: mismatches } = await client.query(
      `SELECT t, v::text AS loaded, t::${pgType}::text AS cast FROM ${client.escapeIdentifier(`staging ${tableCounter}`)}
       WHERE v IS DISTINCT FROM t::${pgType} OR v::text IS DISTINCT FROM t::${pgType}::text`,
    );
    expect(mismatches).toEqual([]);
  });
});

describe("failures", () => {
  it("rolls back the chunk and leaves the connection usable when PostgreSQL refuses the COPY", async () => {
    const file = path.join(dir, "mismatch.csv");
    await writeFile(file, "a\n1\n");
    // The table says int4 where stageCsv sends int8: the server rejects the binary data.
    await client.query("CREATE TABLE wrong_types (a integer, _sluice_lineage_id text)");
    await expect(
      stageCsv({
        client,
        filePath: file,
        format: ZCsvFormat.parse({}),
        fileColumns: ["a"],
        load: [{ name: "a", type: "integer", sourceIndex: 0 }],
        target: sql`${ident("wrong_types")}`,
        lineagePrefix: "run:src:",
        quarantine: { workspaceId, runId: randomUUID(), nodeId: "src" },
        resumeFrom: null,
        saveCheckpoint: async () => {},
      }),
    ).rejects.toThrow(/binary data/);
    const { rows } = await client.query("SELECT count(*)::int AS n FROM wrong_types");
    expect(rows).toEqual([{ n: 0 }]);
  });

  it("cancels a COPY under way when aborted and leaves the connection usable", async () => {
    const file = path.join(dir, "abort-mid.csv");
    await writeFile(file, `a\n${Array.from({ length: 200_000 }, (_, i) => i).join("\n")}\n`);
    await createStagingTable(client, sql`${ident("aborted mid")}`, [{ name: "a", type: "integer", sourceIndex: 0 }]);
    const controller = new AbortController();
    let seen = 0;
    const abortAt: TFieldCheck = {
      rule: "max",
      check: () => {
        if (++seen === 50_000) controller.abort();
        return null;
      },
    };
    await expect(
      stageCsv({
        client,
        filePath: file,
        format: ZCsvFormat.parse({}),
        fileColumns: ["a"],
        load: [{ name: "a", type: "integer", sourceIndex: 0 }],
        fieldChecks: new Map([[0, [abortAt]]]),
        target: sql`${ident("aborted mid")}`,
        lineagePrefix: "run:src:",
        quarantine: { workspaceId, runId: randomUUID(), nodeId: "src" },
        resumeFrom: null,
        signal: controller.signal,
        saveCheckpoint: async () => {},
      }),
    ).rejects.toThrow(/abort/i);
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "aborted mid"`);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it("stops when aborted, keeping only committed chunks", async () => {
    const file = path.join(dir, "abort.csv");
    await writeFile(file, `a\n${Array.from({ length: 500_000 }, (_, i) => i).join("\n")}\n`);
    await createStagingTable(client, sql`${ident("aborted")}`, [{ name: "a", type: "integer", sourceIndex: 0 }]);
    const controller = new AbortController();
    const saved: TCsvCheckpoint[] = [];
    await expect(
      stageCsv({
        client,
        filePath: file,
        format: ZCsvFormat.parse({}),
        fileColumns: ["a"],
        load: [{ name: "a", type: "integer", sourceIndex: 0 }],
        target: sql`${ident("aborted")}`,
        lineagePrefix: "run:src:",
        quarantine: { workspaceId, runId: randomUUID(), nodeId: "src" },
        resumeFrom: null,
        chunkRows: 100_000,
        signal: controller.signal,
        saveCheckpoint: async (_c, checkpoint) => {
          saved.push(checkpoint);
          controller.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    const { rows } = await client.query("SELECT count(*)::int AS n FROM aborted");
    expect(saved).toHaveLength(1);
    expect(rows).toEqual([{ n: saved[0]?.rowsOut }]);
  });
});

describe("resume", () => {
  function generate(rows: number): string {
    const lines = ["id,name,score,at"];
    for (let i = 1; i <= rows; i++) {
      if (i % 17 === 0) lines.push(`${i},bad,not-a-number,2024-01-01 00:00`);
      else if (i % 23 === 0) lines.push(`${i},"multi\nline ${i}",${i / 4},2024-01-01 00:00:${String(i % 60).padStart(2, "0")}`);
      else lines.push(`${i},name ${i},${i * 1.5},2024-01-${String((i % 28) + 1).padStart(2, "0")}T12:00Z`);
    }
    return `${lines.join("\n")}\n`;
  }
  const load = [
    { name: "id", type: "integer" as const },
    { name: "name", type: "string" as const },
    { name: "score", type: "number" as const },
    { name: "at", type: "timestamp" as const },
  ];
  const fileColumns = ["id", "name", "score", "at"];

  const content = generate(1000);
  let clean: Staged;
  beforeAll(async () => {
    clean = await stage(content, { fileColumns, load, chunkRows: 100 });
  });

  it("a clean run commits one chunk per 100 records", () => {
    expect(clean.checkpoints).toHaveLength(11); // ten full chunks, then the empty one that meets the end
    expect(clean.result).toMatchObject({ rowsIn: 1000, rowsRejected: 58 });
    expect(clean.checkpoints.at(-1)).toEqual({ ...clean.result, byteOffset: Buffer.byteLength(content), line: 1043 }); // 1 header + 1000 records + 41 quoted line breaks, then the next line
  });

  it.each([1, 3, 7, 11])("a run killed in chunk %i resumes to exactly the rows of a clean run", async (failOnChunk) => {
    const file = path.join(dir, `resume-${failOnChunk}.csv`);
    await writeFile(file, content);
    const table = `resumed ${failOnChunk}`;
    const target = sql`${ident(table)}`;
    const columns = load.map((c, i) => ({ ...c, sourceIndex: i }));
    await createStagingTable(client, target, columns);
    const runId = randomUUID();
    // What node_runs.checkpoint would hold: JSON, parsed again on resume.
    let stored: unknown = null;
    const run = (resumeFrom: TCsvCheckpoint | null, failOn: number) => {
      let chunk = 0;
      return stageCsv({
        client,
        filePath: file,
        format: ZCsvFormat.parse({}),
        fileColumns,
        load: columns,
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
    const resumed = await run(stored === null ? null : ZCsvCheckpoint.parse(stored), 0);

    expect(resumed).toEqual(clean.result);
    expect(await rowsOf(table)).toEqual(clean.rows);
    expect(await quarantineOf(runId)).toEqual(clean.quarantine);
  });
});
