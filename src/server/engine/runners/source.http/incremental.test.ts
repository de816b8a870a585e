import { describe, expect, it } from "vitest";
import { cursorValueOf, higherCursor } from "./incremental";

describe("the incremental cursor", () => {
  it("keeps the highest value, comparing numbers as numbers", () => {
    const values = ["9", "10", "2"].reduce<string | undefined>((high, v) => higherCursor(high, v), undefined);
    expect(values).toBe("10");
  });

  it("compares timestamps as instants, whatever their offset, and keeps the record's own text", () => {
    // 10:30+01:00 is 09:30Z: earlier, though it sorts later as text.
    expect(higherCursor("2026-12-07T10:00:00Z", "2026-12-07T10:30:00+01:00")).toBe("2026-12-07T10:00:00Z");
    expect(higherCursor("2026-12-07T10:00:00Z", "2026-12-07T10:00:01.5Z")).toBe("2026-12-07T10:00:01.5Z");
  });

  it("compares other text as text, and ignores records without a usable value", () => {
    expect(higherCursor("abc", "abd")).toBe("abd");
    expect(higherCursor("abc", undefined)).toBe("abc");
    expect(cursorValueOf({ meta: { updated: 17 } }, "meta.updated")).toBe("17");
    expect(cursorValueOf({ updated_at: null }, "updated_at")).toBeUndefined();
    expect(cursorValueOf({ updated_at: { at: 1 } }, "updated_at")).toBeUndefined();
    expect(cursorValueOf({}, "updated_at")).toBeUndefined();
  });
});
