import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { runNodeFixture, table } from "@/server/engine/testing/node-fixture";
import aggregate from "./aggregate";

const readings = table({ station: "string", day: "date", pm25: "number", count: "integer", at: "timestamp" }, [
  ["Oslo", "2024-01-01", 10, 1, "2024-01-01T10:00:00Z"],
  ["Oslo", "2024-01-01", null, 2, "2024-01-01T11:00:00Z"],
  ["Oslo", "2024-01-02", 20, null, "2024-01-02T09:00:00Z"],
  ["Lima", "2024-01-01", 30, 5, null],
  [null, "2024-01-01", 1, 1, null],
  [null, "2024-01-01", 2, 1, null],
]);

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

describe("transform.aggregate", () => {
  it("computes every function per group, skipping NULL values", async () => {
    const result = await runNodeFixture(
      aggregate,
      {
        groupBy: ["station"],
        aggregates: [
          { fn: "count", as: "rows" },
          { fn: "count", column: "pm25", as: "with_pm25" },
          { fn: "sum", column: "count", as: "total" },
          { fn: "sum", column: "pm25", as: "pm25_sum" },
          { fn: "avg", column: "count", as: "mean_count" },
          { fn: "min", column: "day", as: "first_day" },
          { fn: "max", column: "at", as: "last_at" },
        ],
      },
      { in: readings },
    );
    expect(result.columns).toEqual([
      { name: "station", type: "string" },
      { name: "rows", type: "integer" },
      { name: "with_pm25", type: "integer" },
      { name: "total", type: "integer" },
      { name: "pm25_sum", type: "number" },
      { name: "mean_count", type: "number" },
      { name: "first_day", type: "date" },
      { name: "last_at", type: "timestamp" },
    ]);
    expect(result.records).toEqual([
      {
        station: "Lima",
        rows: 1,
        with_pm25: 1,
        total: 5,
        pm25_sum: 30,
        mean_count: 5,
        first_day: "2024-01-01",
        last_at: null,
      },
      {
        station: "Oslo",
        rows: 3,
        with_pm25: 2,
        total: 3,
        pm25_sum: 30,
        mean_count: 1.5,
        first_day: "2024-01-01",
        last_at: "2024-01-02T09:00:00.000Z",
      },
      // NULL station values form one group.
      { station: null, rows: 2, with_pm25: 2, total: 2, pm25_sum: 3, mean_count: 1, first_day: "2024-01-01", last_at: null },
    ]);
  });

  it("gives each group a lineage id from the run, node and md5 of its key values", async () => {
    const result = await runNodeFixture(
      aggregate,
      { groupBy: ["station", "day"], aggregates: [{ fn: "count", as: "n" }] },
      { in: readings },
      { runId: "run-7", nodeId: "agg" },
    );
    expect(result.rows[0]).toEqual(["Lima", "2024-01-01", 1]);
    expect(result.lineage[0]).toBe(`agg:run-7:agg:${md5('["Lima", "2024-01-01"]')}`);
    expect(result.lineage.at(-1)).toBe(`agg:run-7:agg:${md5('[null, "2024-01-01"]')}`);
    expect(new Set(result.lineage).size).toBe(4);
  });

  it("keeps timestamp group keys' lineage independent of the session time zone", async () => {
    const input = table({ at: "timestamp" }, [["2024-01-01T10:00:00+02:00"]]);
    const config = { groupBy: ["at"], aggregates: [{ fn: "count", as: "n" }] };
    for (const timeZone of ["UTC", "Asia/Kolkata"]) {
      const result = await runNodeFixture(aggregate, config, { in: input }, { timeZone });
      expect(result.lineage).toEqual([`agg:fixture-run:fixture-node:${md5('["2024-01-01T08:00:00"]')}`]);
    }
  });

  it("without group-by columns returns one row, also for an empty input", async () => {
    const empty = table({ amount: "integer" }, []);
    const result = await runNodeFixture(
      aggregate,
      {
        aggregates: [
          { fn: "count", as: "n" },
          { fn: "sum", column: "amount", as: "total" },
        ],
      },
      { in: empty },
    );
    expect(result.records).toEqual([{ n: 0, total: null }]);
    expect(result.lineage).toEqual([`agg:fixture-run:fixture-node:${md5("[]")}`]);
  });

  it("sums integers exactly up to the integer limit and fails clearly beyond it", async () => {
    const big = (values: bigint[]) => table({ amount: "integer" }, values.map((v) => [v]));
    const config = { aggregates: [{ fn: "sum", column: "amount", as: "total" }] };
    const max = 9223372036854775807n;
    const exact = await runNodeFixture(aggregate, config, { in: big([max - 1n, 1n]) });
    expect(exact.rows).toEqual([[max]]);
    await expect(runNodeFixture(aggregate, config, { in: big([max, 1n]) })).rejects.toThrow(
      'the sum of "amount" does not fit in an integer (-9223372036854775808 to 9223372036854775807); ' +
        "cast the column to number before aggregating. The sum was 9223372036854775808",
    );
  });

  it("handles hostile column names and values", async () => {
    const input = table({ 'group "g"': "string", "sum(x)": "integer" }, [
      ["'; DROP TABLE x; --", 1],
      ["'; DROP TABLE x; --", 2],
    ]);
    const result = await runNodeFixture(
      aggregate,
      { groupBy: ['group "g"'], aggregates: [{ fn: "sum", column: "sum(x)", as: "select * from; --" }] },
      { in: input },
    );
    expect(result.records).toEqual([{ 'group "g"': "'; DROP TABLE x; --", "select * from; --": 3 }]);
  });

  it("reports unknown columns, unsuitable types, missing columns and clashing names", async () => {
    const input = table({ station: "string", ok: "boolean", data: "json", pm25: "number" }, []);
    const result = await runNodeFixture(
      aggregate,
      {
        groupBy: ["station", "city", "station"],
        aggregates: [
          { fn: "sum", column: "station", as: "a" },
          { fn: "max", column: "ok", as: "b" },
          { fn: "min", column: "data", as: "c" },
          { fn: "avg", as: "d" },
          { fn: "count", column: "nope", as: "e" },
          { fn: "count", as: "station" },
          { fn: "max", column: "pm25", as: "f" },
          { fn: "min", column: "pm25", as: "f" },
        ],
      },
      { in: input },
    );
    expect(result.problems).toEqual([
      { path: ["groupBy", 1], message: 'the input has no column "city" (it has: station, ok, data, pm25)' },
      { path: ["groupBy", 2], message: '"station" is listed twice' },
      { path: ["aggregates", 0, "column"], message: 'sum needs an integer or number column, but "station" is string' },
      {
        path: ["aggregates", 1, "column"],
        message: 'max works on string, integer, number, date and timestamp columns, but "ok" is boolean',
      },
      {
        path: ["aggregates", 2, "column"],
        message: 'min works on string, integer, number, date and timestamp columns, but "data" is json',
      },
      { path: ["aggregates", 3, "column"], message: "avg needs a column" },
      { path: ["aggregates", 4, "column"], message: 'the input has no column "nope" (it has: station, ok, data, pm25)' },
      { path: ["aggregates", 5, "as"], message: 'the output already has a column "station"; choose another name' },
      { path: ["aggregates", 7, "as"], message: 'the output already has a column "f"; choose another name' },
    ]);
  });

  it("rejects configs without aggregates or with unusable output names", async () => {
    const result = await runNodeFixture(aggregate, { aggregates: [] }, { in: readings });
    expect(result.problems).toEqual([{ path: ["aggregates"], message: "add at least one aggregate" }]);
    const reserved = await runNodeFixture(aggregate, { aggregates: [{ fn: "count", as: "_sluice_n" }] }, { in: readings });
    expect(reserved.problems).toEqual([
      { path: ["aggregates", 0, "as"], message: "column names starting with _sluice_ are reserved" },
    ]);
  });
});
