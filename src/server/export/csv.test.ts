import { describe, expect, it } from "vitest";
import { csvCell, csvLine, spreadsheetSafe } from "./csv";

describe("spreadsheet-safe CSV cells", () => {
  it("puts ' in front of cells a spreadsheet would run as a formula", () => {
    for (const cell of ["=1+1", "+1+1", "-2+3", "@SUM(A1:A3)", "\tTAB", "\r=1", '=HYPERLINK("http://evil.example","x")', "-", "--x"]) {
      expect(spreadsheetSafe(cell)).toBe(`'${cell}`);
    }
  });

  it("leaves other text and plain numbers alone", () => {
    for (const cell of ["", "AB001", "a=b", "1+1", "-12", "-12.5", "-1e5", "42", " =1"]) expect(spreadsheetSafe(cell)).toBe(cell);
  });

  it("quotes cells with commas, quotes or line breaks after the prefix", () => {
    expect(csvCell('=HYPERLINK("u","x")')).toBe(`"'=HYPERLINK(""u"",""x"")"`);
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("\r=1")).toBe(`"'\r=1"`);
  });

  it("writes nulls as empty cells, dates as ISO instants and objects as JSON", () => {
    expect(csvLine([null, undefined, new Date("2026-12-06T10:00:00Z"), { ids: [1n] }, 7, "-3"])).toBe(',,2026-12-06T10:00:00.000Z,"{""ids"":[""1""]}",7,-3\n');
  });
});
