import { describe, expect, it } from "vitest";
import { formatBytes, formatCount } from "./format";

describe("formatting for people", () => {
  it("writes counts and sizes", () => {
    expect(formatCount(1234567n)).toBe("1,234,567");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(83 * 1024 * 1024)).toBe("83 MB");
  });
});
