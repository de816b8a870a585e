import { describe, expect, it } from "vitest";
import { unstorableTextProblem } from "./storable-text";

describe("unstorableTextProblem", () => {
  it("accepts any text PostgreSQL keeps as sent, tricks included", () => {
    expect(unstorableTextProblem({ name: "<script>x</script>", tags: ["a\u202Eb", "\u200B", "\u{1F469}\u200D\u{1F467}"], n: 1, ok: true, none: null }, "The input")).toBeNull();
  });

  it("names where a NUL or a lone surrogate is, in values and in keys", () => {
    expect(unstorableTextProblem({ record: { score: "1\u00002" } }, "The request body")).toBe(
      "The request body at record.score contains a NUL character (U+0000), which cannot be stored; remove it",
    );
    expect(unstorableTextProblem({ rows: [{ a: "ok" }, { b: "\uD83D" }] }, "The input")).toMatch(/^The input at rows\[1\]\.b contains a lone UTF-16 surrogate/);
    expect(unstorableTextProblem({ record: { "a\u0000": "1" } }, "The input")).toMatch(/^The input at record has a key that contains a NUL/);
    expect(unstorableTextProblem("\uDC00", "The input")).toMatch(/^The input contains a lone/);
  });
});
