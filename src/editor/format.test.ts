import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, problemText } from "./format";

describe("formatting for people", () => {
  it("strips the node id and config path graph checking puts in front of a message", () => {
    expect(problemText({ nodeId: "val", path: ["rules", 0, "field"], message: 'val: rules.0.field: the input has no field "x"' })).toBe('the input has no field "x"');
    expect(problemText({ path: ["name"], message: "name: a pipeline needs a name" })).toBe("a pipeline needs a name");
  });

  it("says a missing setting is required instead of zod's type wording", () => {
    expect(problemText({ nodeId: "csv_1", path: ["file"], message: "csv_1: file: Invalid input: expected string, received undefined" })).toBe("File is required");
    expect(problemText({ nodeId: "d", path: ["rules", 1, "minLength"], message: "d: rules.1.minLength: Invalid input: expected number, received undefined" })).toBe(
      "Min length is required",
    );
  });

  it("writes counts and sizes", () => {
    expect(formatCount(1234567n)).toBe("1,234,567");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(83 * 1024 * 1024)).toBe("83 MB");
  });
});
