import { describe, expect, it } from "vitest";
import { parseRange, rangeInput } from "./ranges";

describe("dashboard ranges", () => {
  it("read the URL's range, falling back to 30 days", () => {
    expect(parseRange("7d")).toBe("7d");
    expect(parseRange("1y")).toBe("30d");
    expect(parseRange(null)).toBe("30d");
  });

  it("end just after the current minute, so runs that finished this minute are in and polls share a query key", () => {
    const now = Date.parse("2026-12-07T06:10:42.500Z");
    expect(rangeInput("24h", now)).toEqual({ from: new Date("2026-12-06T06:11:00.000Z"), to: new Date("2026-12-07T06:11:00.000Z") });
    expect(rangeInput("24h", now + 10_000)).toEqual(rangeInput("24h", now));
  });
});
