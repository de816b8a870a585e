import { describe, expect, it } from "vitest";
import { bodyLimitFor, declaredTooLarge, jsonDepth, MAX_REQUEST_BODY_BYTES } from "./body-limit";

describe("jsonDepth", () => {
  it("counts nesting of arrays and objects, not brackets inside strings", () => {
    expect(jsonDepth("1")).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('["\\"[[[[", [[]]]')).toBe(3);
    expect(jsonDepth("[".repeat(1_000_000))).toBe(1_000_000);
  });
});

describe("the door's size check", () => {
  it("leaves file uploads to their own limit and bounds everything else", () => {
    expect(bodyLimitFor("/api/uploads")).toBeNull();
    expect(bodyLimitFor("/api/v1/uploads?x=1")).toBeNull();
    expect(bodyLimitFor("/api/trpc/pipelines.create?batch=1")).toBe(MAX_REQUEST_BODY_BYTES);
    expect(bodyLimitFor("/api/v1/pipelines")).toBe(MAX_REQUEST_BODY_BYTES);
  });

  it("refuses declared lengths over the limit and lengths that are no number", () => {
    expect(declaredTooLarge(undefined, 10)).toBe(false);
    expect(declaredTooLarge("10", 10)).toBe(false);
    expect(declaredTooLarge("11", 10)).toBe(true);
    expect(declaredTooLarge("1e400", 10)).toBe(true);
    expect(declaredTooLarge("lots", 10)).toBe(true);
  });
});
