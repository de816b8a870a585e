import { describe, expect, it } from "vitest";
import { durationMs, formatCount, formatDuration, formatRelativeTime } from "./format";

describe("formatCount", () => {
  it("groups thousands for numbers and BigInts alike", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(12345678901234567890n)).toBe("12,345,678,901,234,567,890");
    expect(formatCount(0n)).toBe("0");
  });
  it("shows a dash for unknown counts", () => {
    expect(formatCount(null)).toBe("—");
    expect(formatCount(undefined)).toBe("—");
  });
});

describe("formatDuration", () => {
  it("picks a unit a person reads at a glance", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1_234)).toBe("1.2 s");
    expect(formatDuration(42_400)).toBe("42 s");
    expect(formatDuration(245_000)).toBe("4 min 05 s");
    expect(formatDuration(2 * 3600_000 + 3 * 60_000)).toBe("2 h 03 min");
    expect(formatDuration(76 * 3600_000)).toBe("3 d 4 h");
  });
  it("shows a dash when there is no duration", () => {
    expect(formatDuration(undefined)).toBe("—");
  });
});

describe("durationMs", () => {
  const start = new Date("2026-11-21T10:00:00Z");
  it("measures between start and end", () => {
    expect(durationMs(start, new Date("2026-11-21T10:00:03Z"))).toBe(3000);
  });
  it("measures up to now while the end is unknown", () => {
    expect(durationMs(start, null, new Date("2026-11-21T10:01:00Z"))).toBe(60_000);
  });
  it("is undefined before the start", () => {
    expect(durationMs(null, null)).toBeUndefined();
  });
});

describe("formatRelativeTime", () => {
  const now = new Date("2026-11-21T12:00:00Z");
  it("says just now for the last few seconds", () => {
    expect(formatRelativeTime(new Date("2026-11-21T11:59:40Z"), now)).toBe("just now");
  });
  it("uses the largest whole unit", () => {
    expect(formatRelativeTime(new Date("2026-11-21T11:55:00Z"), now)).toBe("5 minutes ago");
    expect(formatRelativeTime(new Date("2026-11-21T09:00:00Z"), now)).toBe("3 hours ago");
    expect(formatRelativeTime(new Date("2026-11-20T12:00:00Z"), now)).toBe("yesterday");
    expect(formatRelativeTime(new Date("2026-11-21T14:00:00Z"), now)).toBe("in 2 hours");
  });
});
