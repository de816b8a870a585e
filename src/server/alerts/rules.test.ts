import { describe, expect, it } from "vitest";
import { checkFreshness, checkRun, describeRule, median, stddev, type TRunFigures } from "./rules";

const run = (over: Partial<TRunFigures> = {}): TRunFigures => ({
  status: "succeeded",
  reingest: false,
  durationMs: 10_000,
  rowsRead: 100,
  rowsLoaded: 100,
  rowsRejected: 0,
  failedNode: null,
  error: null,
  rejectingNodeId: null,
  loadingNodeId: "dst",
  ...over,
});
const none = { rowsLoaded: [], durationsMs: [] };

describe("alert rules", () => {
  it("take the population σ and the middle of an even count", () => {
    expect(stddev([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("volume: with identical history any other count is outside the band; re-ingest runs are not judged", () => {
    const rule = { kind: "volume_anomaly" as const, threshold: 3, window: 10, minimum: null };
    expect(checkRun(rule, run({ rowsLoaded: 100 }), { rowsLoaded: [100, 100, 100], durationsMs: [] })).toEqual({ outcome: "clear" });
    expect(checkRun(rule, run({ rowsLoaded: 101 }), { rowsLoaded: [100, 100, 100], durationsMs: [] }).outcome).toBe("breached");
    expect(checkRun(rule, run({ rowsLoaded: 1, reingest: true }), { rowsLoaded: [100, 100, 100], durationsMs: [] }).outcome).toBe("not-applicable");
    expect(checkRun(rule, run({ rowsLoaded: 1 }), { rowsLoaded: [100, 100], durationsMs: [] }).outcome).toBe("not-applicable");
  });

  it("reject rate: exactly at the limit is fine, a run that read nothing is not judged", () => {
    const rule = { kind: "reject_rate" as const, threshold: 5, window: null, minimum: null };
    expect(checkRun(rule, run({ rowsRead: 100, rowsRejected: 5 }), none)).toEqual({ outcome: "clear" });
    expect(checkRun(rule, run({ rowsRead: 100, rowsRejected: 6 }), none).outcome).toBe("breached");
    expect(checkRun(rule, run({ rowsRead: 0 }), none).outcome).toBe("not-applicable");
  });

  it("freshness counts from the last success and says when there was none", () => {
    const rule = { kind: "freshness" as const, threshold: 1, window: null, minimum: null };
    const since = new Date("2026-01-01T00:00:00Z");
    expect(checkFreshness(rule, since, null, new Date("2026-01-01T01:00:00Z"))).toEqual({ outcome: "clear" });
    const stale = checkFreshness(rule, since, null, new Date("2026-01-01T01:30:00Z"));
    expect(stale).toMatchObject({ outcome: "breached", summary: "No successful run in the 1.5 hours since this rule started watching; the limit is 1 hours" });
  });

  it("describe themselves with their settings", () => {
    expect(describeRule({ kind: "volume_anomaly", threshold: 2, window: 5, minimum: 10 })).toBe(
      "Volume anomaly: rows loaded outside mean ± 2σ of the last 5 successful runs, or fewer than 10",
    );
    expect(describeRule({ kind: "duration_anomaly", threshold: null, window: null, minimum: null })).toBe("Duration anomaly: longer than 2× the median of the last 10 successful runs");
  });
});
