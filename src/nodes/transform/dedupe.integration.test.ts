import { describe, expect, it } from "vitest";
import { runNodeFixture, table } from "@/server/engine/testing/node-fixture";
import dedupe from "./dedupe";

// Lineage ids shaped like a CSV source's (prefix, line, hash): line 10 sorts before line 9 as text.
const lineageAt = (...lines: number[]) => lines.map((line) => `run1:src:${line}:0a1b2c3d`);

const readings = table(
  { station: "string", day: "date", pm25: "number", updated: "timestamp" },
  [
    ["Oslo", "2024-01-01", 10, "2024-01-02T08:00:00Z"],
    ["Oslo", "2024-01-01", 11, null],
    ["Oslo", "2024-01-01", 12, "2024-01-02T07:00:00Z"],
    ["Lima", "2024-01-01", 30, "2024-01-02T09:00:00Z"],
    ["Oslo", "2024-01-02", 13, null],
  ],
  lineageAt(10, 9, 100, 11, 12),
);

describe("transform.dedupe", () => {
  it("keeps the first row per key in input order (source line order, not text order)", async () => {
    const result = await runNodeFixture(dedupe, { key: ["station", "day"] }, { in: readings });
    expect(result.columns).toEqual(readings.columns);
    expect(result.records).toEqual([
      { station: "Lima", day: "2024-01-01", pm25: 30, updated: "2024-01-02T09:00:00.000Z" },
      { station: "Oslo", day: "2024-01-01", pm25: 11, updated: null },
      { station: "Oslo", day: "2024-01-02", pm25: 13, updated: null },
    ]);
    expect(result.lineage).toEqual(lineageAt(11, 9, 12));
  });

  it("keeps the last row per key in input order", async () => {
    const result = await runNodeFixture(dedupe, { key: ["station", "day"], keep: "last" }, { in: readings });
    expect(result.rows.map((r) => r[2])).toEqual([30, 12, 13]);
    expect(result.lineage).toEqual(lineageAt(11, 100, 12));
  });

  it("orders duplicates by the order columns, where NULL never wins", async () => {
    const first = await runNodeFixture(dedupe, { key: ["station"], orderBy: ["updated"] }, { in: readings });
    expect(first.rows.map((r) => [r[0], r[2]])).toEqual([
      ["Lima", 30],
      ["Oslo", 12],
    ]);
    const last = await runNodeFixture(
      dedupe,
      { key: ["station"], orderBy: ["updated"], keep: "last" },
      { in: readings },
    );
    expect(last.rows.map((r) => [r[0], r[2]])).toEqual([
      ["Lima", 30],
      ["Oslo", 10],
    ]);
  });

  it("treats NULL keys as equal to each other", async () => {
    const input = table({ id: "integer", name: "string" }, [
      [null, "a"],
      [1, "b"],
      [null, "c"],
      [1, "d"],
    ]);
    const result = await runNodeFixture(dedupe, { key: ["id"] }, { in: input });
    expect(result.rows).toEqual([
      [1, "b"],
      [null, "a"],
    ]);
  });

  it("handles hostile column names and values", async () => {
    const input = table({ 'key "k"': "string", "order by": "integer" }, [
      ["'; DROP TABLE x; --", 2],
      ["'; DROP TABLE x; --", 1],
    ]);
    const result = await runNodeFixture(
      dedupe,
      { key: ['key "k"'], orderBy: ["order by"], keep: "last" },
      { in: input },
    );
    expect(result.records).toEqual([{ 'key "k"': "'; DROP TABLE x; --", "order by": 2 }]);
  });

  it("reports unknown and repeated columns with their paths", async () => {
    const result = await runNodeFixture(
      dedupe,
      { key: ["station", "city", "station"], orderBy: ["when"] },
      { in: readings },
    );
    expect(result.problems).toEqual([
      { path: ["key", 1], message: 'the input has no column "city" (it has: station, day, pm25, updated)' },
      { path: ["key", 2], message: '"station" is listed twice' },
      { path: ["orderBy", 0], message: 'the input has no column "when" (it has: station, day, pm25, updated)' },
    ]);
  });

  it("needs a key and a known keep mode", async () => {
    const result = await runNodeFixture(dedupe, { key: [], keep: "newest" }, { in: readings });
    expect(result.problems).toEqual([
      { path: ["key"], message: "choose at least one key column" },
      { path: ["keep"], message: expect.stringContaining('"first"') },
    ]);
  });
});
