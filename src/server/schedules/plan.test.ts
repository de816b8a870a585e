import { describe, expect, it } from "vitest";
import { compileSchedule } from "./cron";
import { MAX_CATCH_UP_RUNS, planFires } from "./plan";

const hourly = compileSchedule("0 * * * *", "UTC");
const at = (text: string) => new Date(text);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("a scheduler tick", () => {
  it("runs a fire time that is due now and moves on to the next", () => {
    const plan = planFires(hourly, at("2026-05-01T10:00:00Z"), at("2026-05-01T10:00:03Z"), "none");
    expect(iso(plan.run)).toEqual(["2026-05-01T10:00:00.000Z"]);
    expect(plan.skipped).toBe(0);
    expect(plan.nextFireAt?.toISOString()).toBe("2026-05-01T11:00:00.000Z");
  });

  it("does nothing before the fire time", () => {
    const plan = planFires(hourly, at("2026-05-01T10:00:00Z"), at("2026-05-01T09:59:59Z"), "all");
    expect(plan.run).toEqual([]);
    expect(plan.nextFireAt?.toISOString()).toBe("2026-05-01T10:00:00.000Z");
  });

  describe("after five hours without a scheduler (fires 10:00 … 14:00 missed, now 14:30)", () => {
    const due = at("2026-05-01T10:00:00Z");
    const now = at("2026-05-01T14:30:00Z");
    it("catch-up none skips them all", () => {
      expect(planFires(hourly, due, now, "none")).toMatchObject({ run: [], skipped: 5 });
    });
    it("catch-up latest runs 14:00 only", () => {
      const plan = planFires(hourly, due, now, "latest");
      expect(iso(plan.run)).toEqual(["2026-05-01T14:00:00.000Z"]);
      expect(plan.skipped).toBe(4);
    });
    it("catch-up all runs every one, oldest first", () => {
      const plan = planFires(hourly, due, now, "all");
      expect(plan.run).toHaveLength(5);
      expect(plan.run[0]?.toISOString()).toBe("2026-05-01T10:00:00.000Z");
      expect(plan.nextFireAt?.toISOString()).toBe("2026-05-01T15:00:00.000Z");
    });
  });

  it("catch-up none still runs a fire time a tick saw a little late", () => {
    const plan = planFires(hourly, at("2026-05-01T10:00:00Z"), at("2026-05-01T10:01:30Z"), "none");
    expect(plan.run).toHaveLength(1);
  });

  it("bounds catch-up all to the most recent fire times", () => {
    const plan = planFires(hourly, at("2026-05-01T00:00:00Z"), at("2026-05-04T00:00:00Z"), "all");
    expect(plan.run).toHaveLength(MAX_CATCH_UP_RUNS);
    expect(plan.run.at(-1)?.toISOString()).toBe("2026-05-04T00:00:00.000Z");
    expect(plan.skipped).toBe(73 - MAX_CATCH_UP_RUNS);
    expect(plan.skippedAtLeast).toBe(false);
  });

  it("walks a year of missed minutes without walking every one", () => {
    const everyMinute = compileSchedule("* * * * *", "UTC");
    const plan = planFires(everyMinute, at("2025-05-01T00:00:00Z"), at("2026-05-01T00:00:00Z"), "latest");
    expect(iso(plan.run)).toEqual(["2026-05-01T00:00:00.000Z"]);
    expect(plan.skippedAtLeast).toBe(true);
    expect(plan.skipped).toBeGreaterThan(2_000);
  });
});
