import { describe, expect, it } from "vitest";
import { timelineLayout } from "./timeline";

const t = (s: number) => new Date(Date.UTC(2026, 10, 21, 10, 0, s));

describe("timelineLayout", () => {
  it("places every started node on one axis from the first start to the last end", () => {
    const layout = timelineLayout({ startedAt: t(0), finishedAt: t(10) }, [
      { nodeId: "src", startedAt: t(0), finishedAt: t(4) },
      { nodeId: "val", startedAt: t(4), finishedAt: t(9) },
      { nodeId: "dest", startedAt: null, finishedAt: null },
    ], t(60));
    expect(layout?.totalMs).toBe(10_000);
    expect(layout?.bars.get("src")).toEqual({ nodeId: "src", leftPct: 0, widthPct: 40, durationMs: 4000, open: false });
    expect(layout?.bars.get("val")).toMatchObject({ leftPct: 40, widthPct: 50, durationMs: 5000 });
    expect(layout?.bars.has("dest")).toBe(false);
    expect(layout?.ticks.map((tick) => tick.offsetMs)).toEqual([0, 2500, 5000, 7500, 10_000]);
  });

  it("lets a running node grow up to now", () => {
    const layout = timelineLayout({ startedAt: t(0), finishedAt: null }, [
      { nodeId: "src", startedAt: t(0), finishedAt: t(5) },
      { nodeId: "val", startedAt: t(5), finishedAt: null },
    ], t(20));
    expect(layout?.totalMs).toBe(20_000);
    expect(layout?.bars.get("val")).toEqual({ nodeId: "val", leftPct: 25, widthPct: 75, durationMs: 15_000, open: true });
  });

  it("keeps an instant node visible without overflowing the axis", () => {
    const layout = timelineLayout({ startedAt: t(0), finishedAt: t(100) }, [
      { nodeId: "a", startedAt: t(0), finishedAt: t(100) },
      { nodeId: "b", startedAt: t(100), finishedAt: t(100) },
    ], t(200));
    expect(layout?.bars.get("b")).toMatchObject({ leftPct: 99.4, widthPct: 0.6, durationMs: 0 });
    const early = layout?.bars.get("a");
    expect(early?.widthPct).toBe(100);
  });

  it("has nothing to draw before any node starts", () => {
    expect(timelineLayout({ startedAt: null, finishedAt: null }, [{ nodeId: "a", startedAt: null, finishedAt: null }], t(0))).toBeUndefined();
  });
});
