import { describe, expect, it } from "vitest";
import jsonSource from "@/nodes/sources/json";
import { runSourceFixture } from "../../testing/runner-fixture";

const NDJSON = [
  '{"station": "AB001", "reading": {"aqi": 42}, "tags": ["city"]}',
  "",
  '{"station": "AB002", "reading": {"aqi": "high"}}',
  "[1, 2]",
  '{"station": "AB003", "reading": 5}',
  '{"station": "AB004", "reading": {"aqi": 7}',
  '{"station": "AB005", "reading": {"aqi": null}}',
].join("\n");

describe("source.json", () => {
  it("stages NDJSON records flattened by path, each by its line, quarantining every record a column cannot hold", async () => {
    const result = await runSourceFixture(jsonSource, { format: "ndjson", columns: { "reading.aqi": "integer", tags: "json" } }, { filename: "air.ndjson", content: NDJSON });
    expect(result.error).toBeNull();
    // Six records: the blank line holds none.
    expect(result).toMatchObject({ status: "succeeded", rowsIn: 6, rowsOut: 2, rowsRejected: 4 });
    expect(result.columns).toEqual(["station", "reading.aqi", "tags"]);
    expect(result.records).toEqual([
      { station: "AB001", "reading.aqi": "42", tags: '["city"]' },
      { station: "AB005", "reading.aqi": null, tags: null },
    ]);
    expect(result.ordinals).toEqual([1, 7]);
    expect(result.quarantine.map((q) => [q.ordinal, q.errors.map((e) => [e.field, e.rule])])).toEqual([
      [3, [["reading.aqi", "type"]]],
      [4, [["_raw", "notAnObject"]]],
      [5, [["reading", "type"]]],
      [6, [["_raw", "json"]]],
    ]);
    expect(result.quarantine[2]?.errors[0]?.message).toContain("where an object is expected");
  });

  it("numbers the records of a JSON array by their index from 0", async () => {
    const result = await runSourceFixture(jsonSource, {}, { filename: "air.json", content: '[{"id": 1}, {"id": 2}, "three", {"id": 4}]' });
    expect(result).toMatchObject({ status: "succeeded", rowsIn: 4, rowsOut: 3, rowsRejected: 1 });
    expect(result.records).toEqual([{ id: "1" }, { id: "2" }, { id: "4" }]);
    expect(result.ordinals).toEqual([0, 1, 3]);
    expect(result.quarantine.map((q) => q.ordinal)).toEqual([2]);
  });
});
