import { describe, expect, it } from "vitest";
import { compilePattern, patternProblem } from "./pattern";

describe("compilePattern", () => {
  it("matches the whole value", () => {
    const { test } = compilePattern("[A-Z]{2}[0-9]{3}");
    expect(test("OS001")).toBe(true);
    expect(test("xOS001")).toBe(false);
    expect(test("OS0012")).toBe(false);
  });

  it("writes shorthand classes out explicitly in both dialects", () => {
    const p = compilePattern("\\d+\\s\\w*\\D");
    expect(p.postgres).toBe("^(?:[0-9]+[ \\t\\n\\r\\f\\v][A-Za-z0-9_]*[^0-9])$");
    expect(p.test("12 ab_x")).toBe(true);
    // JavaScript's \d would not take Arabic-Indic digits either, but \s would take a no-break space.
    expect(p.test("12\u00a0abx")).toBe(false);
    expect(p.test("١٢ abx")).toBe(false);
  });

  it("lets . match newlines and counts astral characters as one", () => {
    const { test, postgres } = compilePattern("a.b.");
    expect(test("a\nb😀")).toBe(true);
    expect(postgres).toBe("^(?:a.b.)$");
  });

  it("accepts alternation, groups, bounded and lazy repeats, escaped metacharacters", () => {
    const p = compilePattern("(ab|cd)+?x{2,3}\\.(?:y)?[\\]\\-^a-c]");
    expect(p.postgres).toBe("^(?:(?:ab|cd)+x{2,3}\\.(?:y)?[\\]\\-\\^a-c])$");
    expect(p.test("abcdxx.b")).toBe(true);
    expect(p.test("abcdxx.-")).toBe(true);
    expect(p.test("xx.b")).toBe(false);
  });

  it("treats braces that are not a repeat as literal", () => {
    const p = compilePattern("a{b}");
    expect(p.test("a{b}")).toBe(true);
    expect(p.postgres).toBe("^(?:a\\{b\\})$");
  });

  it.each([
    ["(ab", 'unclosed "(" at position 1'],
    ["ab)", 'unmatched ")" at position 3'],
    ["[a-", 'unclosed "[" at position 1'],
    ["*a", '"*" has nothing to repeat at position 1'],
    ["a{300}", "repeat counts above 255 are not supported at position 2"],
    ["a{3,2}", 'the repeat "{3,2}" has its bounds out of order at position 2'],
    ["a**", "a quantifier cannot follow another quantifier (group the first one) at position 3"],
    ["[z-a]", 'the range "z-a" is out of order at position 2'],
    ["\\bword", '"\\b" is not supported (use a character class such as [0-9] instead) at position 1'],
    ["(?=a)", '"(?" groups other than "(?:" (lookaround, named groups) are not supported at position 1'],
    ["[]", "an empty character class matches nothing at position 1"],
    ["[\\D]", '"\\D" inside [...] is not supported (write the negated class [^...] instead) at position 2'],
    ["a\\", 'the pattern ends with a lone "\\" at position 2'],
    ["^*", '"^" cannot be repeated at position 1'],
  ])("refuses %s: %s", (source, message) => {
    expect(patternProblem(source)).toBe(message);
  });

  it("answers in linear time: nested repeats that make a backtracking engine run for ages answer at once", () => {
    const { test } = compilePattern("^(a+)+$");
    expect(test(`${"a".repeat(50_000)}!`)).toBe(false);
    expect(test("a".repeat(50_000))).toBe(true);
    expect(compilePattern("(x+x+)+y").test("x".repeat(30_000))).toBe(false);
  });

  it.each([
    ["((a{1,255}){1,255}){1,255}", /too large to run in linear time \(invalid repeat count.*keep their product under 1000/],
    ["(((a{100}){100}){100})", /too large to run in linear time/],
  ])("refuses %s, too large for the linear-time engine", (source, message) => {
    expect(patternProblem(source)).toMatch(message);
  });

  it("accepts every pattern it writes", () => {
    expect(patternProblem("^[^,]+(,[^,]+)*$")).toBeNull();
  });
});
