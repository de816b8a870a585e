import { describe, expect, it } from "vitest";
import type { Column } from "../contract";
import { ZRule, ZValidateConfig, type TRule } from "./config";
import { characterCount, compileFieldChecks, compileRecordValidator, RuleError, validateRecord } from "./rules";

const rule = (input: unknown): TRule => ZRule.parse(input);

/** The messages a rule's checks give for a value (null ones left out). */
function messages(input: unknown, type: Parameters<typeof compileFieldChecks>[1], value: string | null): string[] {
  return compileFieldChecks(rule(input), type)
    .map((c) => c.check(value))
    .filter((m): m is string => m !== null);
}

describe("compileFieldChecks", () => {
  it("required: null and empty are missing", () => {
    expect(messages({ field: "station", required: true }, "string", null)).toEqual(["station: required value is missing"]);
    expect(messages({ field: "station", required: true }, "string", "")).toEqual(["station: required value is missing"]);
    expect(messages({ field: "station", required: true }, "string", " ")).toEqual([]);
  });

  it("min/max on integers compare exactly, also past 2^53", () => {
    const r = { field: "aqi", min: 0, max: 500 };
    expect(messages(r, "integer", "612")).toEqual(["aqi: 612 is above the maximum 500"]);
    expect(messages(r, "integer", "-1")).toEqual(["aqi: -1 is below the minimum 0"]);
    expect(messages(r, "integer", "500")).toEqual([]);
    expect(messages(r, "integer", "0")).toEqual([]);
    const big = { field: "n", max: 9007199254740992 };
    expect(messages(big, "integer", "9007199254740993")).toEqual(["n: 9007199254740993 is above the maximum 9007199254740992"]);
    expect(messages(big, "integer", "9007199254740992")).toEqual([]);
    expect(messages({ field: "n", min: 1.5 }, "integer", "1")).toEqual(["n: 1 is below the minimum 1.5"]);
  });

  it("min/max on numbers compare as doubles", () => {
    expect(messages({ field: "pm", min: 0.1 }, "number", "0.09999999999999999")).toEqual([
      "pm: 0.09999999999999999 is below the minimum 0.1",
    ]);
    expect(messages({ field: "pm", min: 0.1 }, "number", "1e-1")).toEqual([]);
  });

  it("min/max on dates and timestamps compare by calendar and instant", () => {
    expect(messages({ field: "d", min: "2024-01-01" }, "date", "2023-12-31")).toEqual([
      "d: 2023-12-31 is before the minimum 2024-01-01",
    ]);
    const ts = { field: "t", max: "2024-01-01T00:00Z" };
    expect(messages(ts, "timestamp", "2024-01-01T01:00+01:00")).toEqual([]);
    expect(messages(ts, "timestamp", "2024-01-01T00:00:00.000001Z")).toEqual([
      "t: 2024-01-01T00:00:00.000001Z is after the maximum 2024-01-01T00:00Z",
    ]);
  });

  it("leaves unreadable values to the type rule", () => {
    expect(messages({ field: "aqi", min: 0, max: 5, oneOf: [1] }, "integer", " 12")).toEqual([]);
    expect(messages({ field: "d", min: "2024-01-01" }, "date", "2023-02-29")).toEqual([]);
  });

  it("lengths count characters, not UTF-16 units", () => {
    expect(characterCount("😀😀")).toBe(2);
    expect(messages({ field: "s", maxLength: 2 }, "string", "😀😀")).toEqual([]);
    expect(messages({ field: "s", minLength: 3 }, "string", "😀😀")).toEqual([
      's: "😀😀" has 2 characters, fewer than the minimum length 3',
    ]);
    expect(messages({ field: "s", maxLength: 1 }, "string", "abc")).toEqual([
      's: "abc" has 3 characters, more than the maximum length 1',
    ]);
  });

  it("pattern and oneOf", () => {
    expect(messages({ field: "c", pattern: "[A-Z]+" }, "string", "ab")).toEqual(['c: "ab" does not match the pattern [A-Z]+']);
    expect(messages({ field: "c", oneOf: ["a", "b"] }, "string", "c")).toEqual(['c: "c" is not one of "a", "b"']);
    expect(messages({ field: "c", oneOf: [1, "2"] }, "integer", "002")).toEqual([]);
    expect(messages({ field: "c", oneOf: [true] }, "boolean", "YES")).toEqual([]);
    expect(messages({ field: "c", oneOf: [true] }, "boolean", "no")).toEqual(['c: "no" is not one of "true"']);
  });

  it("refuses a rule that does not fit the field's type", () => {
    expect(() => compileFieldChecks(rule({ field: "name", min: 1 }), "string")).toThrow(RuleError);
    expect(() => compileFieldChecks(rule({ field: "d", min: 1 }), "date")).toThrow(/must be a date written YYYY-MM-DD/);
    expect(() => compileFieldChecks(rule({ field: "t", oneOf: ["x"] }), "timestamp")).toThrow(/cannot be used/);
  });
});

describe("validateRecord", () => {
  const columns: Column[] = ["station", "aqi", "day", "extra"].map((name) => ({ name, type: "string" }));
  const config = ZValidateConfig.parse({
    rules: [
      { field: "station", required: true, pattern: "[A-Z]{2}[0-9]{3}" },
      { field: "aqi", type: "integer", required: true, min: 0, max: 500 },
      { field: "day", type: "date" },
    ],
  });

  it("reports every violation, in rule order", () => {
    expect(validateRecord({ station: "x", aqi: "612", day: "2024-02-30", extra: "e" }, config, columns)).toEqual([
      { field: "station", rule: "pattern", value: "x", message: 'station: "x" does not match the pattern [A-Z]{2}[0-9]{3}' },
      { field: "aqi", rule: "max", value: "612", message: "aqi: 612 is above the maximum 500" },
      { field: "day", rule: "type", value: "2024-02-30", message: 'day: "2024-02-30" is not a real calendar date' },
    ]);
  });

  it("reports a type violation alone, with the value format's message", () => {
    expect(validateRecord({ station: "OS001", aqi: " 12" }, config, columns)).toEqual([
      { field: "aqi", rule: "type", value: " 12", message: 'aqi: " 12" is not an integer (it has surrounding spaces)' },
    ]);
  });

  it("treats a field missing from the record as missing", () => {
    expect(validateRecord({}, config, columns).map((v) => v.rule)).toEqual(["required", "required"]);
  });

  it("passes a valid record", () => {
    expect(validateRecord({ station: "OS001", aqi: "0", day: null, extra: "x" }, config, columns)).toEqual([]);
  });

  it("rejects unknown fields when asked, in input column order, then other keys", () => {
    const reject = compileRecordValidator(
      ZValidateConfig.parse({ rules: [{ field: "station" }], unknownFields: "reject" }),
      columns,
    );
    expect(reject({ zzz: "1", station: "a", extra: "x", aqi: "", day: null }).map((v) => [v.field, v.rule])).toEqual([
      ["extra", "unknownField"],
      ["zzz", "unknownField"],
    ]);
  });

  it("checks a typed input column's type without a rule type", () => {
    const typed = compileRecordValidator(ZValidateConfig.parse({ rules: [{ field: "n", max: 5 }] }), [
      { name: "n", type: "number" },
    ]);
    expect(typed({ n: "6" })[0]?.message).toBe("n: 6 is above the maximum 5");
    expect(typed({ n: "NaN" })[0]?.rule).toBe("type");
  });
});
