import { describe, expect, it } from "vitest";
import { ident, sql } from "@/nodes/sql";
import type { Column, TColumnType } from "@/nodes/contract";
import { ZValidateConfig } from "@/nodes/validate/config";
import { compileRecordValidator } from "@/nodes/validate/rules";
import { parseValue } from "@/nodes/values";
import { lineageOf, runSetRules, runValidate, testPool, withInput, type EngineInput, type EngineResult } from "./harness";
import { ValidateNodeError, validateInSql } from "./validate-in-sql";

function expectBalanced(result: EngineResult) {
  expect(result.rowsIn).toBe(result.rowsOut + result.rowsRejected);
  expect(result.rows.length).toBe(result.rowsOut);
  expect(result.quarantined.length).toBe(result.rowsRejected);
}

const text = (...names: string[]): Column[] => names.map((name) => ({ name, type: "string" }));

describe("validateInSql", () => {
  it("loads valid rows typed and quarantines invalid ones with every violation", async () => {
    const result = await runValidate(
      {
        rules: [
          { field: "station", type: "string", required: true, pattern: "[A-Z]{2}[0-9]{3}" },
          { field: "aqi", type: "integer", required: true, min: 0, max: 500 },
          { field: "day", type: "date" },
        ],
      },
      {
        columns: text("station", "aqi", "day", "note"),
        rows: [
          ["OS001", "42", "2024-02-29", "fine"],
          ["x", "612", "2023-02-29", null],
          [null, "abc", null, "n"],
        ],
      },
    );
    expectBalanced(result);
    expect(result.rows).toEqual([{ station: "OS001", aqi: "42", day: "2024-02-29", note: "fine" }]);
    expect(result.quarantined.map((q) => q.errors)).toEqual([
      [
        { field: "station", rule: "pattern", value: "x", message: 'station: "x" does not match the pattern [A-Z]{2}[0-9]{3}' },
        { field: "aqi", rule: "max", value: "612", message: "aqi: 612 is above the maximum 500" },
        { field: "day", rule: "type", value: "2023-02-29", message: 'day: "2023-02-29" is not a real calendar date' },
      ],
      [
        { field: "station", rule: "required", value: null, message: "station: required value is missing" },
        { field: "aqi", rule: "type", value: "abc", message: 'aqi: "abc" is not an integer' },
      ],
    ]);
    expect(result.quarantined[0]?.record).toEqual({ station: "x", aqi: "612", day: "2023-02-29", note: null });
  });
});

/** Texts that decide the edges of each format (PERFORMANCE.md trap 2 and more). */
const CORPUS: Record<TColumnType, string[]> = {
  string: ["", "abc", " 12", "'; DROP TABLE x; --", "é😀"],
  integer: [
    "0", "-0", "+7", "007", " 12", "12 ", "1.0", "1e3", "9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "-9223372036854775809", "0000000000000000000000000001", "1".repeat(400), "NaN", "0x1F",
    "1_000", "", "abc", "１２",
  ],
  number: [
    "0", "-0", "1.5", ".5", "5.", "+.5e-3", "1e308", "1.7976931348623157e308", "1.7976931348623158e308",
    "1.7976931348623159e308", "1e309", "1e400", "1e-400", "1e-310", "5e-324", "2.4703282292062327e-324",
    "2.4703282292062328e-324", "2.47e-324", "0e999999", "0.0e-99999999999", "1e99999999999", "1".repeat(400),
    `0.${"0".repeat(330)}1`, `0.${"0".repeat(330)}1e330`, "NaN", "Infinity", "-infinity", " 12", "1,5", "e5", ".", "1e", "",
  ],
  boolean: ["true", "TRUE", "t", "F", "yes", "No", "y", "N", "1", "0", "on", "off", "tr", " true", "2"],
  date: [
    "2024-02-29", "2023-02-29", "2024-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "2024-13-01", "2024-00-10",
    "2024-04-31", "1900-02-29", "2000-02-29", "24-01-01", "2024-1-1", "2024-01-01T00:00", "yesterday", "epoch",
    "infinity", " 2024-01-01", "20240101",
  ],
  timestamp: [
    "2024-01-01T10:00", "2024-01-01 10:00", "2024-01-01T10:00:30", "2024-01-01T10:00:30.5", "2024-01-01T10:00:30.123456",
    "2024-01-01T10:00:30.1234567", "2024-01-01T10:00Z", "2024-01-01T10:00+05:30", "2024-01-01T10:00-0530",
    "2024-01-01T10:00+05", "2024-01-01T10:00+99:99", "2024-01-01T10:00+16:00", "2024-01-01T10:00+15:59",
    "2024-01-01T24:00", "2024-01-01T23:60", "2024-01-01T23:59:60", "2024-02-30T10:00", "0000-01-01T00:00",
    "0001-01-01T00:00+15:00", "9999-12-31T23:59:59.999999-15:00", "2024-01-01t10:00", "2024-01-01T10:00z",
    "2024-01-01T10:00.5", "2024-01-01", "now", "epoch", "infinity", "2024-01-01  10:00", "2024-01-01T10:00 +01",
  ],
  json: [
    "{}", "[]", "1", "-0", "1.5e3", '"a"', "null", "true", '{"a":[1,2,{"b":null}]}', " [1] ", "{a:1}", "[1,]", "01",
    '"\\u0000"', '"\\ud800"', '"\\ud83d\\ude00"', "1e400", "NaN", "[", "", `${"[".repeat(1001)}${"]".repeat(1001)}`,
    `${"[".repeat(1000)}${"]".repeat(1000)}`, '{"a":1,"a":2}',
  ],
};

/** jsonb's numeric has no negative zero. */
function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]));
  }
  return value;
}

/** A loaded value (as text from PostgreSQL) as the JavaScript value parseValue returns. */
function typedOf(type: TColumnType, loaded: string | null): unknown {
  if (loaded === null) return null;
  switch (type) {
    case "integer":
      return BigInt(loaded);
    case "number":
      return Number(loaded);
    case "boolean":
      return loaded === "true";
    case "json":
      return JSON.parse(loaded);
    default:
      return loaded;
  }
}

describe("value formats: SQL and JavaScript agree on every text", () => {
  for (const [type, values] of Object.entries(CORPUS) as [TColumnType, string[]][]) {
    it(`${type}`, async () => {
      const config = { rules: [{ field: "x", type, required: true }] };
      const columns = text("x");
      const result = await runValidate(config, { columns, rows: values.map((v) => [v]) });
      expectBalanced(result);
      const validate = compileRecordValidator(ZValidateConfig.parse(config), columns);
      const expected = values.map((value) => validate({ x: value }));
      const byValue = new Map(result.quarantined.map((q) => [q.record.x ?? null, q.errors]));
      const actual = values.map((value) => byValue.get(value) ?? []);
      // Compare with messages, except JSON's reasons, which come from each engine's own parser.
      const comparable = (list: typeof expected) =>
        list.map((violations) =>
          violations.map((v) => ({ ...v, message: type === "json" ? v.message.replace(/JSON: .*/, "JSON") : v.message })),
        );
      expect(comparable(actual)).toEqual(comparable(expected));
      // Valid texts load as the value JavaScript reads from them.
      const valid = values.filter((v) => v !== "" && expected[values.indexOf(v)]?.length === 0);
      expect(result.rows.length).toBe(valid.length);
      for (const value of valid) {
        const parsed = parseValue(type, value);
        if (!parsed.ok) throw new Error(`${value} passed but does not parse`);
        expect({ value, loaded: typedOf(type, result.rows[valid.indexOf(value)]?.x ?? null) }).toEqual({
          value,
          loaded: type === "json" ? withoutNegativeZero(parsed.value) : parsed.value,
        });
      }
    });
  }
});

/** Runs `config` in SQL and in JavaScript over the same rows and expects the same violations per row. */
async function expectAgreement(config: unknown, input: EngineInput): Promise<EngineResult> {
  const result = await runValidate(config, input);
  expectBalanced(result);
  const validate = compileRecordValidator(ZValidateConfig.parse(config), input.columns);
  const byLineage = new Map(result.quarantined.map((q) => [q.lineage, q]));
  input.rows.forEach((row, n) => {
    const quarantined = byLineage.get(lineageOf(n));
    // JavaScript sees what quarantine stored: the record's texts.
    const record = quarantined?.record ?? Object.fromEntries(input.columns.map((c, i) => [c.name, row[i] ?? null]));
    const local = (quarantined?.errors ?? []).filter((v) => v.rule !== "unique" && v.rule !== "references");
    expect({ row: n, violations: local }).toEqual({ row: n, violations: validate(record) });
  });
  return result;
}

describe("rules: SQL and JavaScript agree", () => {
  it("min and max per ordered type, length in characters, pattern, oneOf", async () => {
    const result = await expectAgreement(
      {
        rules: [
          { field: "i", type: "integer", min: -1.5, max: 9007199254740992 },
          { field: "n", type: "number", min: 0.1, max: 1e300 },
          { field: "d", type: "date", min: "2000-01-01", max: "2024-12-31" },
          { field: "ts", type: "timestamp", min: "2024-01-01T00:00+01:00", max: "2024-12-31T23:59:59.999999Z" },
          { field: "s", minLength: 2, maxLength: 3, pattern: "[a-z😀]+(-\\d)?", oneOf: ["ab", "abc", "😀😀", "a-1"] },
          { field: "b", type: "boolean", oneOf: [true] },
          { field: "o", type: "integer", oneOf: [1, "2", 9223372036854775807n.toString()] },
        ],
      },
      {
        columns: text("i", "n", "d", "ts", "s", "b", "o"),
        rows: [
          ["-1", "0.1", "2000-01-01", "2023-12-31T23:00:00Z", "ab", "yes", "001"],
          ["-2", "0.09999999999999999", "1999-12-31", "2023-12-31T22:59:59.999999Z", "a", "no", "3"],
          ["9007199254740993", "1e300", "2024-12-31", "2024-12-31T23:59:59.999999Z", "abcd", "TRUE", "9223372036854775807"],
          ["9007199254740994", "1.0000000000000001e300", "2025-01-01", "2025-01-01T00:00Z", "😀😀", "t", "+2"],
          ["x", "y", "z", "w", "😀😀😀😀", "maybe", "2.0"],
          ["", "", "", "", "", "", ""],
          ["1", "1", "2001-01-01", "2024-06-01 12:00", "a-1", "1", "1"],
          ["1", "1", "2001-01-01", "2024-06-01 12:00", "A", "1", "1"],
        ],
      },
    );
    expect(result.rowsOut).toBe(3);
  });

  it("patterns that make a backtracking engine run for ages answer at once in SQL too, as in JavaScript", async () => {
    const long = "a".repeat(50_000);
    const result = await expectAgreement(
      { rules: [{ field: "s", pattern: "^(a+)+$" }, { field: "t", pattern: "(x+x+)+y" }] },
      { columns: text("s", "t"), rows: [[`${long}!`, "x".repeat(30_000)], [long, "xxy"]] },
    );
    expect(result.quarantined.map((q) => q.errors.map((e) => e.rule))).toEqual([["pattern", "pattern"]]);
    expect(result.rowsOut).toBe(1);
  });

  it("reports every violation of a row, not only the first", async () => {
    const result = await runValidate(
      { rules: [{ field: "code", minLength: 5, pattern: "[0-9]+", oneOf: ["12345"] }] },
      { columns: text("code"), rows: [["ab"]] },
    );
    expect(result.quarantined[0]?.errors.map((e) => e.rule)).toEqual(["minLength", "pattern", "oneOf"]);
  });
});

describe("typed inputs", () => {
  it("checks the canonical text of typed values, keeps valid values exactly and quarantines what the format refuses", async () => {
    const columns: Column[] = [
      { name: "i", type: "integer" },
      { name: "n", type: "number" },
      { name: "d", type: "date" },
      { name: "ts", type: "timestamp" },
      { name: "b", type: "boolean" },
      { name: "j", type: "json" },
    ];
    const result = await expectAgreement(
      {
        rules: [
          { field: "i", min: 0 },
          { field: "n", max: 100 },
          { field: "d" },
          { field: "ts" },
          { field: "b", required: true },
          { field: "j" },
        ],
      },
      {
        columns,
        rows: [
          ["9223372036854775807", "0.1", "2024-02-29", "2024-01-01 10:00:00.123456+05:30", "true", '{"a": [1, 2.50]}'],
          ["-1", "NaN", "infinity", "infinity", null, "1e400"],
          ["1", "1e300", "0044-03-15 BC", "0001-01-01 00:00:00+00 BC", "false", "null"],
        ],
      },
    );
    expect(result.rows).toEqual([
      {
        i: "9223372036854775807",
        n: "0.1",
        d: "2024-02-29",
        ts: "2024-01-01T04:30:00.123456Z",
        b: "true",
        j: '{"a": [1, 2.50]}',
      },
    ]);
    expect(result.quarantined.map((q) => q.errors.map((e) => `${e.field}:${e.rule}`))).toEqual([
      ["i:min", "n:type", "d:type", "ts:type", "b:required"],
      ["n:max", "d:type", "ts:type"],
    ]);
    expect(result.quarantined[1]?.record).toMatchObject({ d: "0044-03-15 BC", i: "1", b: "false" });
  });

  it("converts between types through the canonical text", async () => {
    const result = await runValidate(
      { rules: [{ field: "a", type: "number" }, { field: "b", type: "string" }, { field: "c", type: "date" }] },
      {
        columns: [
          { name: "a", type: "integer" },
          { name: "b", type: "timestamp" },
          { name: "c", type: "timestamp" },
        ],
        rows: [["12", "2024-03-01 00:00+00", "2024-03-01 00:00+00"]],
      },
    );
    expect(result.rows).toEqual([]);
    expect(result.quarantined[0]?.errors).toEqual([
      {
        field: "c",
        rule: "type",
        value: "2024-03-01T00:00:00.000000Z",
        message: 'c: "2024-03-01T00:00:00.000000Z" is not a date (use YYYY-MM-DD)',
      },
    ]);
  });
});

describe("unique", () => {
  const rows = (values: (string | null)[]) => values.map((v) => [v]);

  it("lets the first record of each value pass, in input order (line 10 after line 9)", async () => {
    const values = ["a", "b", "a", null, null, "c", "d", "e", "f", "g", "b", "A", ""];
    const result = await runValidate({ rules: [{ field: "k", unique: true }] }, { columns: text("k"), rows: rows(values) });
    expectBalanced(result);
    expect(result.rows.map((r) => r.k)).toEqual(["a", "b", null, null, "c", "d", "e", "f", "g", "A", ""]);
    expect(result.quarantined.map((q) => [q.lineage, q.errors])).toEqual([
      [lineageOf(2), [{ field: "k", rule: "unique", value: "a", message: 'k: "a" already appeared on an earlier record of this run' }]],
      [lineageOf(10), [{ field: "k", rule: "unique", value: "b", message: 'k: "b" already appeared on an earlier record of this run' }]],
    ]);
  });

  it("compares typed values, and only records passing every other rule claim a value", async () => {
    const result = await runValidate(
      { rules: [{ field: "id", type: "integer", unique: true }, { field: "ok", type: "boolean", required: true }] },
      {
        columns: text("id", "ok"),
        rows: [
          ["7", null],
          ["007", "yes"],
          ["+7", "no"],
          ["7", null],
          ["x", "y"],
        ],
      },
    );
    expectBalanced(result);
    expect(result.rows).toEqual([{ id: "7", ok: "true" }]);
    expect(result.quarantined.map((q) => q.errors.map((e) => e.rule))).toEqual([
      ["required"],
      ["unique"],
      ["required", "unique"],
      ["type"],
    ]);
  });
});

describe("references", () => {
  it("accepts values present in the referenced column, typed or as text", async () => {
    const input: EngineInput = { columns: text("station", "zone"), rows: [["OS1", "1"], ["XX9", "2"], ["LI2", "01"], [null, null]] };
    await withInput(input, async (client) => {
      await client.query(`CREATE SCHEMA "ref data"; CREATE TABLE "ref data"."Stations" ("station id" varchar(10), zone int)`);
      await client.query(`INSERT INTO "ref data"."Stations" VALUES ('OS1', 1), ('LI2', 1), ('OS1', 1)`);
      const counts = await validateInSql({
        client,
        input: { relation: sql`input`, columns: input.columns },
        config: ZValidateConfig.parse({
          rules: [
            { field: "station", references: { schema: "ref data", table: "Stations", column: "station id" } },
            { field: "zone", type: "integer", references: { schema: "ref data", table: "Stations", column: "zone" } },
          ],
        }),
        target: sql`${ident("valid")}`,
        quarantine: { workspaceId: "00000000-0000-4000-8000-000000000001", runId: "00000000-0000-4000-8000-000000000002", nodeId: "val" },
      });
      expect(counts).toEqual({ rowsIn: 4, rowsOut: 3, rowsRejected: 1 });
      const errors = await client.query(`SELECT errors FROM quarantined_records`);
      expect(errors.rows[0]?.errors).toEqual([
        { field: "station", rule: "references", value: "XX9", message: 'station: "XX9" does not exist in ref data.Stations.station id' },
        { field: "zone", rule: "references", value: "2", message: 'zone: "2" does not exist in ref data.Stations.zone' },
      ]);
    });
  });

  it("fails with a clear error when the table or column is missing", async () => {
    await expect(
      runValidate({ rules: [{ field: "s", references: { table: "nope", column: "id" } }] }, { columns: text("s"), rows: [["a"]] }),
    ).rejects.toThrow(new ValidateNodeError('Rule for "s" references public.nope, but there is no such table in the data database'));
    await (await testPool()).query("CREATE TABLE IF NOT EXISTS known_ids (id text)");
    await expect(
      runValidate({ rules: [{ field: "s", references: { table: "known_ids", column: "nope" } }] }, { columns: text("s"), rows: [["a"]] }),
    ).rejects.toThrow(/public\.known_ids has no column "nope"/);
  });

  it("is no oracle on the catalog or Sluice's own tables: such a rule fails before anything is looked up", async () => {
    const input = { columns: text("s"), rows: [["postgres"]] };
    await expect(runValidate({ rules: [{ field: "s", references: { schema: "pg_catalog", table: "pg_authid", column: "rolname" } }] }, input)).rejects.toThrow(
      new ValidateNodeError('Rule for "s": pg_catalog.pg_authid is in the schema pg_catalog, PostgreSQL\'s own catalog: pipelines may not use it; choose another schema'),
    );
    await expect(runValidate({ rules: [{ field: "s", references: { table: "api_tokens", column: "prefix" } }] }, input)).rejects.toThrow(
      /public\.api_tokens is one of Sluice's own tables/,
    );
    await expect(runValidate({ rules: [{ field: "s", references: { schema: "graphile_worker", table: "_private_tasks", column: "identifier" } }] }, input)).rejects.toThrow(
      /Sluice's job queue/,
    );
  });
});

describe("hostile names and values", () => {
  it("treats names with spaces, quotes and keywords, and SQL-looking values, as data", async () => {
    const names = ["select", 'a "quoted" name', "with space", "l", "r0", "errs"];
    const evil = "'; DROP TABLE quarantined_records; --";
    const result = await expectAgreement(
      {
        rules: [
          { field: "select", required: true, oneOf: ["ok"] },
          { field: 'a "quoted" name', pattern: "[^;]*" },
          { field: "with space", maxLength: 5 },
          { field: "l", unique: true },
        ],
      },
      { columns: text(...names), rows: [["ok", "x", "abc", "1", "r", "e"], [evil, evil, evil, "1", evil, evil]] },
    );
    expect(result.rows).toEqual([{ select: "ok", 'a "quoted" name': "x", "with space": "abc", l: "1", r0: "r", errs: "e" }]);
    expect(result.quarantined[0]?.record).toEqual(Object.fromEntries(names.map((n) => [n, n === "l" ? "1" : evil])));
    expect(result.quarantined[0]?.errors.map((e) => e.rule)).toEqual(["oneOf", "pattern", "maxLength", "unique"]);
  });
});

describe("no rules", () => {
  it("passes every row through unchanged", async () => {
    const result = await runValidate({ rules: [] }, { columns: text("a"), rows: [["x"], [null]] });
    expectBalanced(result);
    expect(result.rows).toEqual([{ a: "x" }, { a: null }]);
  });
});

describe("unknown fields", () => {
  const input: EngineInput = { columns: text("a", "b", "c"), rows: [["1", "x", null], ["2", null, ""]] };

  it("keep passes them through untouched, drop removes them", async () => {
    expect((await runValidate({ rules: [{ field: "a", type: "integer" }] }, input)).rows).toEqual([
      { a: "1", b: "x", c: null },
      { a: "2", b: null, c: "" },
    ]);
    expect((await runValidate({ rules: [{ field: "a", type: "integer" }], unknownFields: "drop" }, input)).rows).toEqual([
      { a: "1" },
      { a: "2" },
    ]);
  });

  it("reject quarantines records with a value in a field without a rule", async () => {
    const result = await expectAgreement({ rules: [{ field: "a", type: "integer" }], unknownFields: "reject" }, input);
    expect(result.rows).toEqual([{ a: "2" }]);
    expect(result.quarantined[0]?.errors).toEqual([
      { field: "b", rule: "unknownField", value: "x", message: "b: the field has no rule and unknown fields are rejected" },
    ]);
  });
});

describe("applySetRules (fused streaming path)", () => {
  it("moves duplicates and dangling references from a staged table to quarantine", async () => {
    await (await testPool()).query("CREATE TABLE known_workspaces (id uuid); INSERT INTO known_workspaces VALUES ('00000000-0000-4000-8000-000000000001')");
    const result = await runSetRules(
      { rules: [{ field: "id", type: "integer", unique: true }, { field: "ws", references: { table: "known_workspaces", column: "id" } }] },
      {
        columns: [
          { name: "id", type: "integer" },
          { name: "ws", type: "string" },
        ],
        rows: [
          ["1", "00000000-0000-4000-8000-000000000001"],
          ["2", "00000000-0000-4000-8000-000000000009"],
          ["1", null],
          ["3", null],
        ],
      },
    );
    expectBalanced(result);
    expect(result.rows).toEqual([
      { id: "1", ws: "00000000-0000-4000-8000-000000000001" },
      { id: "3", ws: null },
    ]);
    expect(result.quarantined.map((q) => [q.lineage, q.errors.map((e) => e.rule)])).toEqual([
      [lineageOf(1), ["references"]],
      [lineageOf(2), ["unique"]],
    ]);
  });

  it("does nothing without set rules", async () => {
    const result = await runSetRules({ rules: [{ field: "id", required: true }] }, { columns: text("id"), rows: [[null]] });
    expect(result.rowsRejected).toBe(0);
  });
});
