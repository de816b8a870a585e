import { describe, expect, it } from "vitest";
import { formatFireTime, matchPreset, presetCron } from "./presets";

describe("schedule presets", () => {
  it("writes each preset as a five-field expression at the chosen time", () => {
    expect(presetCron("hourly", "06:30")).toBe("0 * * * *");
    expect(presetCron("daily", "06:30")).toBe("30 6 * * *");
    expect(presetCron("weekdays", "18:05")).toBe("5 18 * * 1-5");
    expect(presetCron("weekly", "00:00")).toBe("0 0 * * 1");
  });

  it("recognises a saved expression as its preset, and leaves others custom", () => {
    expect(matchPreset("30  6 * * 1-5")).toEqual({ id: "weekdays", time: "06:30" });
    expect(matchPreset("*/15 * * * *")).toEqual({ id: "every-15-minutes", time: null });
    expect(matchPreset("5 * * * *")).toBeNull();
    expect(matchPreset("0 6 1 * *")).toBeNull();
  });

  it("shows a fire time in the schedule's timezone, with the zone's abbreviation across a DST change", () => {
    expect(formatFireTime(new Date("2026-03-29T00:30:00Z"), "Europe/Oslo")).toBe("Sun, 29 Mar 2026, 01:30 CET");
    expect(formatFireTime(new Date("2026-03-29T01:30:00Z"), "Europe/Oslo")).toBe("Sun, 29 Mar 2026, 03:30 CEST");
  });
});
