import { describe, expect, it } from "vitest";
import { runNodeFixture, table } from "@/server/engine/testing/node-fixture";
import cast from "./cast";

const raw = table({ station: "string", aqi: "string", pm25: "string", day: "string", at: "string", ok: "string" }, [
  ["Oslo", "40", "12.5", "2024-01-31", "2024-01-31 12:00+01:00", "yes"],
  ["Lima", "", "1e-3", null, "2024-01-31T23:59:59.5Z", "0"],
]);

const allTyped = {
  casts: [
    { column: "aqi", to: "integer" },
    { column: "pm25", to: "number" },
    { column: "day", to: "date" },
    { column: "at", to: "timestamp" },
    { column: "ok", to: "boolean" },
  ],
} as const;

describe("transform.cast", () => {
  it("converts text columns in the CSV value formats, keeping names, order and lineage; empty text is NULL", async () => {
    const result = await runNodeFixture(cast, allTyped, { in: raw });
    expect(result.columns).toEqual([
      { name: "station", type: "string" },
      { name: "aqi", type: "integer" },
      { name: "pm25", type: "number" },
      { name: "day", type: "date" },
      { name: "at", type: "timestamp" },
      { name: "ok", type: "boolean" },
    ]);
    expect(result.records).toEqual([
      { station: "Lima", aqi: null, pm25: 0.001, day: null, at: "2024-01-31T23:59:59.500Z", ok: false },
      { station: "Oslo", aqi: 40, pm25: 12.5, day: "2024-01-31", at: "2024-01-31T11:00:00.000Z", ok: true },
    ]);
    expect(result.lineage).toEqual(["Lin:1", "Lin:0"]);
  });

  it("converts typed columns back to text in the same formats", async () => {
    const typed = table({ aqi: "integer", day: "date", at: "timestamp", ok: "boolean" }, [
      [40, "2024-01-31", "2024-01-31T11:00:00.000Z", true],
    ]);
    const result = await runNodeFixture(
      cast,
      { casts: ["aqi", "day", "at", "ok"].map((column) => ({ column, to: "string" })) },
      { in: typed },
    );
    expect(result.rows).toEqual([["40", "2024-01-31", "2024-01-31T11:00:00Z", "true"]]);
  });

  it.each([
    ["aqi", "integer", " 12", 'aqi: " 12" is not an integer'],
    ["aqi", "integer", "9223372036854775808", 'aqi: "9223372036854775808" is out of range for an integer'],
    ["pm25", "number", "1e400", 'pm25: "1e400" is out of range for a number'],
    ["pm25", "number", "NaN", 'pm25: "NaN" is not a number'],
    ["day", "date", "2023-02-29", 'day: "2023-02-29" is not a real calendar date'],
    ["day", "date", "yesterday", 'day: "yesterday" is not a date'],
    ["at", "timestamp", "2024-01-31 12:00+99:99", 'at: "2024-01-31 12:00+99:99" has an impossible UTC offset'],
    ["ok", "boolean", "on", 'ok: "on" is not a boolean'],
  ])("fails the run naming the column and the bad value: %s %s %s", async (column, to, value, message) => {
    const valid = { integer: "1", number: "1", date: "2024-01-31", timestamp: "2024-01-31 12:00", boolean: "t" }[to];
    const input = table({ [column]: "string" }, [[valid], [value], [null]]);
    const run = runNodeFixture(cast, { casts: [{ column, to }] }, { in: input });
    await expect(run).rejects.toThrow(`[sluice] ${message}`);
  });

  it("reports unknown, repeated and impossible conversions with their paths", async () => {
    const typed = table({ day: "date", aqi: "string" }, [["2024-01-31", "1"]]);
    const result = await runNodeFixture(
      cast,
      {
        casts: [
          { column: "dya", to: "string" },
          { column: "day", to: "integer" },
          { column: "aqi", to: "integer" },
          { column: "aqi", to: "number" },
        ],
      },
      { in: typed },
    );
    expect(result.problems).toEqual([
      { path: ["casts", 0, "column"], message: 'Unknown column "dya". Did you mean "day"?' },
      { path: ["casts", 1, "to"], message: '"day" is a date and cannot become an integer' },
      { path: ["casts", 3, "column"], message: '"aqi" is listed twice; keep one conversion' },
    ]);
  });

  it("keeps hostile names and values", async () => {
    const hostile = table({ 'a "b"; --': "string" }, [['"\'; DROP TABLE x; --"']]);
    const result = await runNodeFixture(cast, { casts: [{ column: 'a "b"; --', to: "json" }] }, { in: hostile });
    expect(result.rows).toEqual([["'; DROP TABLE x; --"]]);
    await expect(
      runNodeFixture(cast, { casts: [{ column: 'a "b"; --', to: "integer" }] }, { in: hostile }),
    ).rejects.toThrow(`a "b"; --: ""'; DROP TABLE x; --"" is not an integer`);
  });

  it("fails on text that is not JSON (PostgreSQL's own message)", async () => {
    const input = table({ doc: "string" }, [["{a: 1}"]]);
    await expect(runNodeFixture(cast, { casts: [{ column: "doc", to: "json" }] }, { in: input })).rejects.toThrow(
      /invalid input syntax for type json/,
    );
  });
});
