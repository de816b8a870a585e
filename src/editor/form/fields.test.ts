import { describe, expect, it } from "vitest";
import { z } from "zod";
import "@/nodes/contract";
import postgres from "@/nodes/destinations/postgres";
import csv from "@/nodes/sources/csv";
import select from "@/nodes/transform/select";
import validate from "@/nodes/validate/validate";
import { configFields, fieldFor, getIn, humanize, numberOrText, setIn, type FieldSpec } from "./fields";

const kinds = (fields: FieldSpec[]) => Object.fromEntries(fields.map((f) => [f.key, f.kind]));

describe("config schema → form fields", () => {
  it("maps the CSV source: upload widget, selects from enums, a toggle, a column-types editor", () => {
    const fields = configFields(csv.config);
    expect(kinds(fields)).toEqual({
      file: "upload",
      delimiter: "select",
      quote: "text",
      header: "tristate",
      encoding: "select",
      columns: "column-types",
    });
    expect(fields.find((f) => f.key === "delimiter")).toMatchObject({ title: "Delimiter", options: [",", ";", "\t", "|"], required: false });
    expect(fields.find((f) => f.key === "file")).toMatchObject({ required: true, description: "The uploaded CSV file to read." });
    expect(fields.find((f) => f.key === "columns")).toMatchObject({ types: ["string", "integer", "number", "boolean", "date", "timestamp", "json"] });
  });

  it("maps validate rules to a list of sub-forms with a column picker, bounds that take numbers or dates, and a value list", () => {
    const [rules, unknownFields] = configFields(validate.config);
    expect(unknownFields).toMatchObject({ kind: "select", options: ["keep", "drop", "reject"] });
    expect(rules?.kind).toBe("list");
    if (rules?.kind !== "list" || rules.item.kind !== "object") throw new Error("rules should be a list of objects");
    expect(kinds(rules.item.fields)).toEqual({
      field: "column",
      type: "select",
      required: "tristate",
      min: "number-or-text",
      max: "number-or-text",
      minLength: "number",
      maxLength: "number",
      pattern: "text",
      oneOf: "values",
      unique: "tristate",
      references: "object",
    });
    const minLength = rules.item.fields.find((f) => f.key === "minLength");
    expect(minLength).toMatchObject({ integer: true, minimum: 0 });
    expect(minLength).not.toHaveProperty("maximum");
    const references = rules.item.fields.find((f) => f.key === "references");
    expect(references?.kind === "object" && kinds(references.fields)).toEqual({ table: "table", schema: "text", column: "text" });
  });

  it("maps the Postgres destination's key to a multi-column picker and select's entries to column + text", () => {
    expect(kinds(configFields(postgres.config))).toEqual({ table: "table", schema: "text", mode: "select", key: "columns" });
    const [columns] = configFields(select.config);
    expect(columns).toMatchObject({ kind: "list", minItems: 1 });
    expect(columns?.kind === "list" && columns.item.kind === "object" && kinds(columns.item.fields)).toEqual({ from: "column", to: "text" });
  });

  it("reads widgets and ports from .meta(), unwraps nullable values and falls back to JSON", () => {
    const schema = z.object({
      where: z.string().meta({ widget: "expression", port: "left" }),
      limit: z.number().nullable(),
      payload: z.record(z.string(), z.unknown()),
      tags: z.array(z.number()),
    });
    const fields = configFields(schema);
    expect(fields[0]).toMatchObject({ kind: "expression", port: "left", title: "Where" });
    expect(fields[1]).toMatchObject({ kind: "number", integer: false, required: true });
    expect(fields[2]?.kind).toBe("json");
    expect(fields[3]).toMatchObject({ kind: "values", numbers: true });
    expect(configFields(z.object({ on: z.boolean(), auto: z.boolean().default(true), maybe: z.boolean().optional() })).map((f) => f.kind)).toEqual([
      "toggle",
      "toggle",
      "tristate",
    ]);
    expect(fieldFor("x", {}, false).kind).toBe("json");
  });
});

describe("form values", () => {
  it("sets nested values without touching the original, and removes keys set to undefined", () => {
    const config = { rules: [{ field: "aqi", min: 0 }], unknownFields: "keep" };
    const next = setIn(config, ["rules", 0, "min"], undefined);
    expect(next).toEqual({ rules: [{ field: "aqi" }], unknownFields: "keep" });
    expect(config.rules[0]).toEqual({ field: "aqi", min: 0 });
    expect(setIn({}, ["references", "table"], "stations")).toEqual({ references: { table: "stations" } });
    expect(getIn(next, ["rules", 0, "field"])).toBe("aqi");
    expect(getIn(next, ["rules", 3, "field"])).toBeUndefined();
  });

  it("reads numbers from text where a number or a text is allowed", () => {
    expect(numberOrText("12")).toBe(12);
    expect(numberOrText("-0.5")).toBe(-0.5);
    expect(numberOrText("1e3")).toBe(1000);
    expect(numberOrText("2024-01-31")).toBe("2024-01-31");
    expect(numberOrText("  ")).toBeUndefined();
  });

  it("humanizes keys", () => {
    expect(humanize("minLength")).toBe("Min length");
    expect(humanize("unknown_fields")).toBe("Unknown fields");
  });
});
