import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Column, ConfigProblem } from "../contract";
import validate from "./validate";

function problemsOf(config: unknown): ConfigProblem[] {
  const parsed = validate.config.safeParse(config);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => ({ path: i.path.filter((p) => typeof p !== "symbol"), message: i.message }));
}

function schema(config: unknown, input: Column[]) {
  const problems: ConfigProblem[] = [];
  const columns = validate.outputSchema({
    config: validate.config.parse(config),
    inputs: { in: input },
    upload: () => undefined,
    report: (p) => problems.push(p),
  });
  return { columns, problems };
}

const input: Column[] = [
  { name: "station", type: "string" },
  { name: "aqi", type: "string" },
  { name: "at", type: "timestamp" },
];

describe("validate node config", () => {
  it("accepts its example and defaults unknownFields to keep", () => {
    expect(validate.config.parse(validate.example).unknownFields).toBe("keep");
    expect(validate.config.parse({ rules: [] }).unknownFields).toBe("keep");
  });

  it("explains a bad pattern", () => {
    expect(problemsOf({ rules: [{ field: "a", pattern: "(ab" }] })).toEqual([
      { path: ["rules", 0, "pattern"], message: 'the pattern is not a valid regular expression: unclosed "(" at position 1' },
    ]);
  });

  it("refuses, when the pipeline is saved, a pattern the linear-time engine cannot run, saying why", () => {
    expect(problemsOf({ rules: [{ field: "a", pattern: "((a{1,255}){1,255}){1,255}" }] })).toEqual([
      {
        path: ["rules", 0, "pattern"],
        message:
          "the pattern is not a valid regular expression: the pattern is too large to run in linear time (invalid repeat count: `{1,255}`): " +
          "nested repeats multiply, keep their product under 1000",
      },
    ]);
  });

  it("checks bounds against the rule's type", () => {
    expect(problemsOf({ rules: [{ field: "a", type: "integer", min: 10, max: 5 }] })).toEqual([
      { path: ["rules", 0, "min"], message: "the minimum 10 is above the maximum 5" },
    ]);
    expect(problemsOf({ rules: [{ field: "a", type: "date", min: "2024-02-30" }] })).toEqual([
      { path: ["rules", 0, "min"], message: 'min must be a date written YYYY-MM-DD for a date field, not "2024-02-30"' },
    ]);
    expect(problemsOf({ rules: [{ field: "a", type: "timestamp", min: "2024-01-01T02:00+02:00", max: "2024-01-01T00:00Z" }] })).toEqual([]);
    expect(problemsOf({ rules: [{ field: "a", minLength: 3, maxLength: 2 }] })).toEqual([
      { path: ["rules", 0, "minLength"], message: "the minimum length 3 is above the maximum length 2" },
    ]);
    expect(problemsOf({ rules: [{ field: "a", type: "integer", oneOf: [1, "x"] }] })).toEqual([
      { path: ["rules", 0, "oneOf", 1], message: '"x" is not a valid integer' },
    ]);
  });

  it("refuses two rules for one field, reserved names and unusable table names", () => {
    expect(problemsOf({ rules: [{ field: "a" }, { field: "a" }] })).toEqual([
      { path: ["rules", 1, "field"], message: '"a" already has a rule (rule 1): put all its checks in one rule' },
    ]);
    expect(problemsOf({ rules: [{ field: "_sluice_x" }] })[0]?.message).toMatch(/reserved/);
    expect(problemsOf({ rules: [{ field: "a", references: { table: "", column: "id" } }] })[0]?.message).toBe(
      'the table name "" is not usable: it is empty',
    );
  });

  it("generates a form schema with column pickers", () => {
    const json = JSON.stringify(z.toJSONSchema(validate.config, { io: "input" }));
    expect(json).toContain('"widget":"column"');
    expect(json).toContain('"title":"Field"');
  });
});

describe("validate outputSchema", () => {
  it("passes input columns through, typed by rules", () => {
    expect(schema({ rules: [{ field: "aqi", type: "integer" }] }, input).columns).toEqual([
      { name: "station", type: "string" },
      { name: "aqi", type: "integer" },
      { name: "at", type: "timestamp" },
    ]);
  });

  it("keeps only ruled fields when unknown fields are dropped or rejected", () => {
    for (const unknownFields of ["drop", "reject"]) {
      expect(schema({ rules: [{ field: "at" }, { field: "station" }], unknownFields }, input).columns).toEqual([
        { name: "station", type: "string" },
        { name: "at", type: "timestamp" },
      ]);
    }
  });

  it("reports rules on fields the input does not have, and rules that do not fit the incoming type", () => {
    expect(schema({ rules: [{ field: "aqi", min: 0 }, { field: "x" }] }, input).problems).toEqual([
      {
        path: ["rules", 0, "min"],
        message: 'min applies to integer, number, date and timestamp fields; "aqi" is a string field (set its type, or use minLength/maxLength)',
      },
      { path: ["rules", 1, "field"], message: 'the input has no field "x" (it has: station, aqi, at)' },
    ]);
    expect(schema({ rules: [{ field: "at", min: "2024-01-01T00:00Z" }] }, input).problems).toEqual([]);
  });
});
