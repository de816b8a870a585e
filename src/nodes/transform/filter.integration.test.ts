import { describe, expect, it } from "vitest";
import { runNodeFixture, table } from "@/server/engine/testing/node-fixture";
import filter from "./filter";

const readings = table({ station: "string", aqi: "integer", day: "date" }, [
  ["Oslo", 40, "2024-01-30"],
  ["Lima", 160, "2024-01-31"],
  ["Pune", null, "2024-02-01"],
  ["Kyiv", 101, null],
]);

describe("transform.filter", () => {
  it("keeps the rows where the condition is true, with their lineage; columns are unchanged", async () => {
    const result = await runNodeFixture(filter, { expression: "aqi > 100" }, { in: readings });
    expect(result.columns).toEqual(readings.columns);
    expect(result.records).toEqual([
      { station: "Kyiv", aqi: 101, day: null },
      { station: "Lima", aqi: 160, day: "2024-01-31" },
    ]);
    expect(result.lineage).toEqual(["Lin:3", "Lin:1"]);
  });

  it("drops rows where the condition is NULL, and keeps them with IS NULL", async () => {
    const negated = await runNodeFixture(filter, { expression: "NOT (aqi > 100)" }, { in: readings });
    expect(negated.rows.map((r) => r[0])).toEqual(["Oslo"]);
    const missing = await runNodeFixture(filter, { expression: "aqi IS NULL OR day >= '2024-02-01'" }, { in: readings });
    expect(missing.rows.map((r) => r[0])).toEqual(["Pune"]);
  });

  it("compares dates with quoted dates, and text with LIKE", async () => {
    const result = await runNodeFixture(
      filter,
      { expression: "day BETWEEN '2024-01-31' AND '2024-02-29' AND station LIKE '%u%'" },
      { in: readings },
    );
    expect(result.rows.map((r) => r[0])).toEqual(["Pune"]);
  });

  it("keeps hostile values as data", async () => {
    const hostile = table({ "drop table": "string" }, [["'; DROP TABLE x; --"], ["fine"]]);
    const result = await runNodeFixture(
      filter,
      { expression: `"drop table" = '''; DROP TABLE x; --'` },
      { in: hostile },
    );
    expect(result.rows).toEqual([["'; DROP TABLE x; --"]]);
  });

  it("reports parse errors, unknown columns and non-boolean conditions at the expression", async () => {
    const problems = async (expression: string) =>
      (await runNodeFixture(filter, { expression }, { in: readings })).problems;
    expect(await problems("aqi >")).toEqual([
      { path: ["expression"], message: expect.stringMatching(/^Syntax error: .*\(line 1, column 6\)$/) },
    ]);
    expect(await problems("staton = 'Oslo'")).toEqual([
      { path: ["expression"], message: 'Unknown column "staton". Did you mean "station"? (line 1, column 1)' },
    ]);
    expect(await problems("aqi + 1")).toEqual([
      { path: ["expression"], message: expect.stringMatching(/must be true or false, but this gives an integer/) },
    ]);
    expect(await problems("  ")).toEqual([{ path: ["expression"], message: expect.stringMatching(/write a condition/) }]);
  });
});
