import { describe, expect, it } from "vitest";
import { columnValues, inferColumns, readFieldsOf, recordProblem, unreadFieldCount } from "./rows";

describe("API records as columns", () => {
  const record = { id: 7, name: "Ann", active: true, address: { city: "Oslo", geo: { lat: 59.9 } }, tags: ["a"], "a.b": "literal", none: null };

  it("reads a field by name, a nested one by dot path, and keeps arrays and objects as JSON", () => {
    const columns = [
      { name: "id", type: "integer" as const },
      { name: "active", type: "boolean" as const },
      { name: "address.city", type: "string" as const },
      { name: "address", type: "json" as const },
      { name: "tags", type: "json" as const },
      { name: "a.b", type: "string" as const },
      { name: "none", type: "string" as const },
      { name: "missing", type: "string" as const },
    ];
    expect(columnValues(record, columns)).toEqual({
      id: "7",
      active: "true",
      "address.city": "Oslo",
      address: '{"city":"Oslo","geo":{"lat":59.9}}',
      tags: '["a"]',
      "a.b": "literal",
      none: null,
      missing: null,
    });
  });

  it("infers columns from the leaf fields of a page, in the order first met", () => {
    expect(inferColumns([{ id: 1, address: { city: "Oslo" } }, { id: 2, score: 1.5 }, "not an object"])).toEqual([
      { name: "id", type: "integer" },
      { name: "address.city", type: "string" },
      { name: "score", type: "number" },
    ]);
  });

  it("says why a record that is not an object cannot be loaded", () => {
    expect(recordProblem([1, 2])).toBe("the record is an array, not a JSON object: [1,2]");
    expect(recordProblem(null)).toMatch(/the record is null/);
    expect(recordProblem({})).toBeNull();
  });

  it("counts the top-level fields no column reads", () => {
    expect(unreadFieldCount(record, readFieldsOf([{ name: "id", type: "integer" }, { name: "address.city", type: "string" }]))).toBe(5);
  });
});
