import { describe, expect, it } from "vitest";
import csvSource from "@/nodes/sources/csv";
import { runSourceFixture } from "../../testing/runner-fixture";

const READINGS = ["station,aqi,note", "AB001,40,fine", 'AB002,160,"two', 'lines"', "AB003,abc,typo", "AB004,,", "AB005,7,x,extra", "AB006,12,last"].join("\n");

describe("source.csv", () => {
  it("stages the records by physical start line, quarantining those that do not fit their columns", async () => {
    const result = await runSourceFixture(csvSource, { columns: { aqi: "integer" } }, { filename: "readings.csv", content: `${READINGS}\n` });
    expect(result.error).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", rowsIn: 6, rowsOut: 4, rowsRejected: 2 });
    expect(result.columns).toEqual(["station", "aqi", "note"]);
    expect(result.records).toEqual([
      { station: "AB001", aqi: "40", note: "fine" },
      { station: "AB002", aqi: "160", note: "two\nlines" },
      { station: "AB004", aqi: null, note: null },
      { station: "AB006", aqi: "12", note: "last" },
    ]);
    // The header is line 1; the quoted record starts on line 3 and ends on line 4.
    expect(result.ordinals).toEqual([2, 3, 6, 8]);
    expect(result.quarantine.map((q) => [q.ordinal, q.errors.map((e) => [e.field, e.rule])])).toEqual([
      [5, [["aqi", "type"]]],
      [7, [["_raw", "columnCount"]]],
    ]);
    expect(result.quarantine[0]?.record).toEqual({ station: "AB003", aqi: "abc", note: "typo" });
  });
});
