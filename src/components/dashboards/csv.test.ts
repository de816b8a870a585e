import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("a chart's CSV", () => {
  it("has a header, quotes what needs quoting and defuses formulas", () => {
    const rows = [
      { rule: "max", field: "aqi", n: 4 },
      { rule: 'says "hi", twice', field: "=cmd()", n: null },
    ];
    const csv = toCsv(rows, [
      { label: "Rule", value: (r) => r.rule },
      { label: "Field", value: (r) => r.field },
      { label: "Violations", value: (r) => r.n },
    ]);
    expect(csv).toBe('Rule,Field,Violations\r\nmax,aqi,4\r\n"says ""hi"", twice",\'=cmd(),\r\n');
  });

  it("keeps negative numbers as numbers", () => {
    expect(toCsv([{ n: -1 }], [{ label: "n", value: (r) => r.n }])).toBe("n\r\n-1\r\n");
  });
});
