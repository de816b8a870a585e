import { describe, expect, it } from "vitest";
import type { Column, TColumnType } from "@/nodes/contract";
import { ZValidateConfig } from "@/nodes/validate/config";
import { compileRecordValidator } from "@/nodes/validate/rules";
import { runValidate, type EngineResult } from "./harness";

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
    });
  }
});
