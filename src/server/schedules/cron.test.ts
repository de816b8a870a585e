import { describe, expect, it } from "vitest";
import { InvalidSettingError } from "../errors";
import { compileSchedule } from "./cron";

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("a schedule", () => {
  it("is described in words with its timezone", () => {
    expect(compileSchedule("5 * * * *", "Europe/Oslo").description).toBe("At 5 minutes past the hour, Europe/Oslo");
    expect(compileSchedule("0 6 * * 1-5", "America/New_York").description).toBe("At 06:00, Monday through Friday, America/New_York");
    expect(compileSchedule("*/15  *  * * *", "UTC").cron).toBe("*/15 * * * *");
  });

  it("fires at the local time of its timezone, in winter and in summer", () => {
    const daily = compileSchedule("0 6 * * *", "Europe/Oslo");
    expect(iso(daily.next(2, new Date("2026-01-10T12:00:00Z")))).toEqual(["2026-01-11T05:00:00.000Z", "2026-01-12T05:00:00.000Z"]);
    expect(iso(daily.next(1, new Date("2026-07-10T12:00:00Z")))).toEqual(["2026-07-11T04:00:00.000Z"]);
  });

  it("runs a local time that daylight saving skips once, an hour later, and one it repeats once", () => {
    const night = compileSchedule("30 2 * * *", "Europe/Oslo");
    // 29 March 2026: clocks jump from 02:00 to 03:00, so 02:30 does not exist that night.
    expect(iso(night.next(3, new Date("2026-03-27T12:00:00Z")))).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
    // 25 October 2026: 02:30 happens twice; the schedule fires at the first.
    expect(iso(night.next(3, new Date("2026-10-23T12:00:00Z")))).toEqual([
      "2026-10-24T00:30:00.000Z",
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  it("keeps hourly schedules hourly in real time through the repeated hour", () => {
    const hourly = compileSchedule("5 * * * *", "Europe/Oslo");
    expect(iso(hourly.next(3, new Date("2026-10-25T00:00:00Z")))).toEqual([
      "2026-10-25T00:05:00.000Z",
      "2026-10-25T01:05:00.000Z",
      "2026-10-25T02:05:00.000Z",
    ]);
  });

  it.each([
    ["", "UTC", "cron", /empty/],
    ["* * * *", "UTC", "cron", /five fields.*has 4/],
    ["0 * * * * *", "UTC", "cron", /five fields.*has 6/],
    ["61 * * * *", "UTC", "cron", /minute: 61/],
    ["hourly please", "UTC", "cron", /five fields/],
    ["5 * * * *", "Mars/Olympus_Mons", "timezone", /is not a timezone/],
    ["5 * * * *", " ", "timezone", /empty/],
  ])("refuses %j in %j with the reason", (cron, timezone, field, reason) => {
    let error: unknown;
    try {
      compileSchedule(cron, timezone);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidSettingError);
    expect((error as InvalidSettingError).field).toBe(field);
    expect((error as Error).message).toMatch(reason);
  });
});
