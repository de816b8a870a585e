import { describe, expect, it } from "vitest";
import type { Column, ConfigProblem } from "../contract";
import jsonSource, { jsonSourceColumns } from "./json";

// What inspection lists for records like {"id": 1, "address": {"city": "Oslo", "geo": {"lat": 1.5}}, "tags": ["a"], "a.b": true}
const INSPECTED: Column[] = [
  { name: "id", type: "integer" },
  { name: "address", type: "json" },
  { name: "address.city", type: "string" },
  { name: "address.geo", type: "json" },
  { name: "address.geo.lat", type: "number" },
  { name: "tags", type: "json" },
  { name: "a.b", type: "boolean" },
];

function columns(config: Parameters<typeof jsonSourceColumns>[1]) {
  const problems: ConfigProblem[] = [];
  return { columns: jsonSourceColumns(INSPECTED, config, (p) => problems.push(p)), problems };
}

describe("jsonSourceColumns", () => {
  it("flattened (the default): nested fields by path, objects replaced by their fields, arrays as json", () => {
    expect(columns({}).columns).toEqual([
      { name: "id", type: "integer" },
      { name: "address.city", type: "string" },
      { name: "address.geo.lat", type: "number" },
      { name: "tags", type: "json" },
      { name: "a.b", type: "boolean" },
    ]);
  });

  it("not flattened: top-level fields, objects as json; a dotted top-level key stays one column", () => {
    expect(columns({ flatten: false }).columns).toEqual([
      { name: "id", type: "integer" },
      { name: "address", type: "json" },
      { name: "tags", type: "json" },
      { name: "a.b", type: "boolean" },
    ]);
  });

  it("a json override keeps an object whole, instead of its fields", () => {
    expect(columns({ columns: { address: "json" } }).columns.map((c) => c.name)).toEqual(["id", "address", "tags", "a.b"]);
  });

  it("overrides types and appends fields the sample did not show", () => {
    const { columns: result, problems } = columns({ columns: { id: "string", "later.field": "date" } });
    expect(result).toContainEqual({ name: "id", type: "string" });
    expect(result.at(-1)).toEqual({ name: "later.field", type: "date" });
    expect(problems).toEqual([]);
  });

  it("reports overrides that cannot be columns", () => {
    const { problems } = columns({ flatten: false, columns: { "address.city": "string", _sluice_x: "string", ["x".repeat(64)]: "string" } });
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining("is a nested field"),
      expect.stringContaining("reserved"),
      expect.stringContaining("longer than 63 bytes"),
    ]);
  });
});

describe("source.json", () => {
  const upload = (filename: string) => (id: string) => ({ id, filename, columns: INSPECTED });

  it("reads its columns through the upload lookup", () => {
    const problems: ConfigProblem[] = [];
    const config = jsonSource.config.parse({ file: "upload:u1", flatten: false });
    expect(jsonSource.outputSchema({ config, upload: upload("rows.ndjson"), inputs: {}, report: (p) => problems.push(p) }).length).toBe(4);
    expect(problems).toEqual([]);
  });

  it("refuses a file that is not JSON, and a missing upload", () => {
    const problems: ConfigProblem[] = [];
    const config = jsonSource.config.parse({ file: "upload:u1" });
    expect(jsonSource.outputSchema({ config, upload: upload("air.csv"), inputs: {}, report: (p) => problems.push(p) })).toEqual([]);
    expect(jsonSource.outputSchema({ config, upload: () => undefined, inputs: {}, report: (p) => problems.push(p) })).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining("not a JSON file"), expect.stringContaining("not uploaded")]);
  });

  it("keeps the public config keys", () => {
    expect(jsonSource.config.parse({ file: "upload:x", format: "array", flatten: false, columns: { a: "integer" } })).toEqual({
      file: "upload:x",
      format: "array",
      flatten: false,
      columns: { a: "integer" },
    });
    expect(() => jsonSource.config.parse({ file: "upload:x", format: "xml" })).toThrow();
  });
});
