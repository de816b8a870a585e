import { describe, expect, it } from "vitest";
import { runNodeFixture, table } from "@/server/engine/testing/node-fixture";
import select from "./select";

const readings = table({ station: "string", pm25: "number", measured: "date" }, [
  ["Oslo", 12.5, "2024-01-01"],
  ["Lima", null, "2024-01-02"],
]);

describe("transform.select", () => {
  it("keeps, renames and reorders columns; rows and lineage are unchanged", async () => {
    const result = await runNodeFixture(
      select,
      { columns: [{ from: "pm25", to: "pm2_5" }, { from: "station" }] },
      { in: readings },
    );
    expect(result.columns).toEqual([
      { name: "pm2_5", type: "number" },
      { name: "station", type: "string" },
    ]);
    expect(result.records).toEqual([
      { pm2_5: 12.5, station: "Oslo" },
      { pm2_5: null, station: "Lima" },
    ]);
    expect(result.lineage).toEqual(["Lin:0", "Lin:1"]);
  });

  it("can output one input column twice under different names", async () => {
    const result = await runNodeFixture(
      select,
      { columns: [{ from: "station" }, { from: "station", to: "site" }] },
      { in: readings },
    );
    expect(result.rows).toEqual([
      ["Lima", "Lima"],
      ["Oslo", "Oslo"],
    ]);
  });

  it("handles hostile column names and values", async () => {
    const hostile = table({ 'a "b"': "string", "select from": "integer" }, [["'; DROP TABLE x; --", 1]]);
    const result = await runNodeFixture(
      select,
      { columns: [{ from: "select from", to: "order" }, { from: 'a "b"', to: "drop table; --" }] },
      { in: hostile },
    );
    expect(result.records).toEqual([{ order: 1, "drop table; --": "'; DROP TABLE x; --" }]);
  });

  it("reports unknown input columns and duplicate output names with their paths", async () => {
    const result = await runNodeFixture(
      select,
      {
        columns: [
          { from: "station" },
          { from: "pm10" },
          { from: "pm25", to: "station" },
          { from: "measured", to: "day" },
          { from: "station" },
        ],
      },
      { in: readings },
    );
    expect(result.problems).toEqual([
      { path: ["columns", 1, "from"], message: 'the input has no column "pm10" (it has: station, pm25, measured)' },
      {
        path: ["columns", 2, "to"],
        message: 'the output already has a column "station" (from entry 1); give this one another name',
      },
      {
        path: ["columns", 4, "from"],
        message: 'the output already has a column "station" (from entry 1); give this one another name',
      },
    ]);
  });

  it("rejects unusable and reserved output names in the config", async () => {
    const result = await runNodeFixture(
      select,
      { columns: [{ from: "station", to: "" }, { from: "pm25", to: "_sluice_x" }] },
      { in: readings },
    );
    expect(result.problems).toEqual([
      { path: ["columns", 0, "to"], message: "not a usable column name: it is empty" },
      { path: ["columns", 1, "to"], message: "column names starting with _sluice_ are reserved" },
    ]);
  });

  it("needs at least one column", async () => {
    const result = await runNodeFixture(select, { columns: [] }, { in: readings });
    expect(result.problems).toEqual([{ path: ["columns"], message: "choose at least one column" }]);
  });
});
