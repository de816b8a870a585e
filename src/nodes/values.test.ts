import { describe, expect, it } from "vitest";
import type { TColumnType } from "./contract";
import {
  daysSince2000,
  inferColumnType,
  inferredValueProblem,
  jsonProblem,
  MAX_JSON_DEPTH,
  parseValue,
  secondsSince2000,
  parseTimestampParts,
  valueProblem,
  violationMessage,
} from "./values";

const accepts = (type: TColumnType, texts: string[]) =>
  it.each(texts)(`${type} accepts %j`, (text) => expect(valueProblem(type, text)).toBeNull());
const refuses = (type: TColumnType, texts: string[]) =>
  it.each(texts)(`${type} refuses %j`, (text) => expect(valueProblem(type, text)).not.toBeNull());

const POSTGRES_WORDS = ["yesterday", "epoch", "infinity", "-infinity", "Infinity", "NaN", "nan", "now", "today"];

describe("NULL", () => {
  it.each(["string", "integer", "number", "boolean", "date", "timestamp", "json"] as const)(
    "empty text and null are NULL for %s",
    (type) => {
      expect(parseValue(type, "")).toEqual({ ok: true, value: null });
      expect(parseValue(type, null)).toEqual({ ok: true, value: null });
    },
  );
});

describe("string", () => {
  accepts("string", [" 12 ", "'; DROP TABLE x; --", "héllo", "a\nb", "\\N"]);
  it("refuses NUL, which text cannot hold", () => {
    expect(valueProblem("string", "a\u0000b")).toMatch(/NUL/);
  });
});

describe("integer", () => {
  accepts("integer", ["0", "-0", "+7", "007", "-9223372036854775808", "9223372036854775807"]);
  refuses("integer", [
    " 12",
    "12 ",
    "1.0",
    "1e3",
    "1_000",
    "0x1F",
    "12a",
    "+",
    "-",
    "9223372036854775808",
    "-9223372036854775809",
    "9".repeat(400),
    ...POSTGRES_WORDS,
  ]);
  it("returns a bigint", () => {
    expect(parseValue("integer", "-9223372036854775808")).toEqual({ ok: true, value: -9223372036854775808n });
    expect(parseValue("integer", "+007")).toEqual({ ok: true, value: 7n });
  });
  it("explains what is wrong", () => {
    expect(valueProblem("integer", "abc")).toBe('"abc" is not an integer');
    expect(valueProblem("integer", " 12")).toBe('" 12" is not an integer (it has surrounding spaces)');
    expect(valueProblem("integer", "12.5")).toBe('"12.5" is not an integer (it has a fraction or exponent)');
    expect(valueProblem("integer", "9223372036854775808")).toMatch(/out of range for an integer/);
  });
});

describe("number", () => {
  accepts("number", ["0", "-0", "+1", "1.", ".5", "-.5", "1.5e3", "1E-3", "1e+308", "1.7976931348623157e308", "1e-310", "4.9e-324", "0e999", "0.000e-999", "9".repeat(300)]);
  refuses("number", [
    " 1",
    "1 ",
    ".",
    "e3",
    "1e",
    "1e+",
    "1.2.3",
    "1,5",
    "0x10",
    "1_0",
    "1e400",
    "-1e400",
    "9".repeat(400),
    "1e-400",
    "2.4e-324",
    ...POSTGRES_WORDS,
  ]);
  it("returns the double", () => {
    expect(parseValue("number", "-12.5e1")).toEqual({ ok: true, value: -125 });
  });
  it("explains range errors", () => {
    expect(valueProblem("number", "1e400")).toMatch(/"1e400" is out of range for a number/);
    expect(valueProblem("number", "abc")).toBe('"abc" is not a number');
  });
});

describe("boolean", () => {
  accepts("boolean", ["true", "FALSE", "True", "t", "F", "yes", "NO", "y", "N", "1", "0"]);
  refuses("boolean", ["on", "off", "tr", "ye", "2", "-1", " true", "true ", "truee", "oui", "constructor", ...POSTGRES_WORDS]);
  it("maps words to values", () => {
    expect(parseValue("boolean", "Yes")).toEqual({ ok: true, value: true });
    expect(parseValue("boolean", "0")).toEqual({ ok: true, value: false });
  });
});

describe("date", () => {
  accepts("date", ["2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "2023-12-31"]);
  refuses("date", [
    "2024-02-30",
    "2023-02-29",
    "1900-02-29",
    "0000-01-01",
    "2024-13-01",
    "2024-00-10",
    "2024-04-31",
    "2024-1-01",
    "24-01-01",
    "10000-01-01",
    "2024/01/01",
    "2024-01-01 ",
    " 2024-01-01",
    "2024-01-01T00:00",
    "20240101",
    ...POSTGRES_WORDS,
  ]);
  it("explains calendar errors", () => {
    expect(valueProblem("date", "2024-02-30")).toBe('"2024-02-30" is not a real calendar date');
    expect(valueProblem("date", "0000-01-01")).toBe('"0000-01-01" has a year outside 0001–9999');
    expect(valueProblem("date", "2024-13-01")).toBe('"2024-13-01" has no month 13');
  });
  it("counts days from PostgreSQL's epoch", () => {
    expect(daysSince2000(2000, 1, 1)).toBe(0);
    expect(daysSince2000(1999, 12, 31)).toBe(-1);
    expect(daysSince2000(2024, 3, 1)).toBe(8826);
    expect(daysSince2000(1, 1, 1)).toBe(-730119);
    expect(daysSince2000(9999, 12, 31)).toBe(2921939);
  });
});

describe("timestamp", () => {
  accepts("timestamp", [
    "2024-03-01T10:00",
    "2024-03-01 10:00",
    "2024-03-01T10:00:59",
    "2024-03-01T10:00:00.1",
    "2024-03-01T10:00:00.123456",
    "2024-03-01T10:00:00Z",
    "2024-03-01T10:00+02:00",
    "2024-03-01T10:00-0530",
    "2024-03-01T10:00:00.5+15",
    "2024-03-01T23:59:59-15:59",
    "0001-01-01 00:00",
    "9999-12-31 23:59:59.999999",
    "2024-02-29 12:00",
  ]);
  refuses("timestamp", [
    "2024-03-01",
    "2024-03-01T10",
    "2024-03-01  10:00",
    "2024-03-01t10:00",
    "2024-03-01T10:00z",
    "2024-03-01T24:00",
    "2024-03-01T10:60",
    "2024-03-01T10:00:60",
    "2024-03-01T10:00:00.1234567",
    "2024-03-01T10:00.5",
    "2024-03-01T10:00:00.",
    "2024-03-01T10:00+99:99",
    "2024-03-01T10:00+16:00",
    "2024-03-01T10:00+01:60",
    "2024-03-01T10:00+1",
    "2024-03-01T10:00+01:0",
    "2024-03-01T10:00 +01:00",
    "2024-03-01T10:00 UTC",
    "2024-03-01T10:00:00+01:00:00",
    "2024-02-30 10:00",
    "2023-02-29T00:00",
    "0000-01-01T00:00",
    " 2024-03-01T10:00",
    "2024-03-01T10:00 ",
    ...POSTGRES_WORDS,
  ]);
  it("normalises to UTC with microseconds", () => {
    expect(parseValue("timestamp", "2024-03-01 10:00")).toEqual({ ok: true, value: "2024-03-01T10:00:00.000000Z" });
    expect(parseValue("timestamp", "2024-03-01T01:30:15.25+02:00")).toEqual({
      ok: true,
      value: "2024-02-29T23:30:15.250000Z",
    });
    expect(parseValue("timestamp", "9999-12-31T23:00-0130")).toEqual({ ok: true, value: "10000-01-01T00:30:00.000000Z" });
  });
  it("counts seconds from PostgreSQL's epoch, offsets east of UTC positive", () => {
    const parts = parseTimestampParts("2000-01-01T01:00:00.000007+01:00");
    expect(parts.ok && parts.value).toMatchObject({ micros: 7, offsetMinutes: 60 });
    expect(parts.ok && secondsSince2000(parts.value)).toBe(0);
  });
  it("explains what is wrong", () => {
    expect(valueProblem("timestamp", "2024-03-01T24:00")).toMatch(/not a real time of day/);
    expect(valueProblem("timestamp", "2024-03-01T10:00+99:99")).toMatch(/impossible UTC offset/);
    expect(valueProblem("timestamp", "yesterday")).toMatch(/^"yesterday" is not a timestamp \(use YYYY-MM-DD/);
  });
});

describe("json", () => {
  accepts("json", [
    "{}",
    "[]",
    ' { "a" : [1, 2.5e3, -0, true, false, null, "x\\"y\\u00e9\\ud83d\\ude00"] } ',
    '"text"',
    "5",
    "null",
    "1e400",
    "9.9e131071",
    "0.5e-16382",
    "0e1073741822",
    "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH),
  ]);
  refuses("json", [
    "{",
    "[1,]",
    "{a:1}",
    "{'a':1}",
    '{"a"}',
    '{"a":1,}',
    "01",
    "1.",
    ".5",
    "+1",
    "NaN",
    "Infinity",
    "tru",
    "[1] x",
    '"\\u0000"',
    '"\\ud800"',
    '"\\udc00"',
    '"\\ud800x"',
    '"\\x"',
    '"a\nb"',
    "1e131072",
    "10e131071",
    "0.5e-16383",
    "0e1073741823",
    "[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1),
    "yesterday",
  ]);
  it("returns the parsed value and explains errors", () => {
    expect(parseValue("json", '{"a":[1]}')).toEqual({ ok: true, value: { a: [1] } });
    expect(jsonProblem('"\\u0000"')).toBe("\\u0000 cannot be stored");
    expect(valueProblem("json", "[")).toBe('"[" is not valid JSON: the text ends too early');
  });
});

describe("inferColumnType", () => {
  it.each([
    [["true", "no", "Y", null, ""], "boolean"],
    [["1", "0", "1"], "integer"],
    [["1", "0", "yes"], "boolean"],
    [["12", "-3", "0"], "integer"],
    [["12", "-3", "007"], "string"],
    [["12", "1.5", "-0.25", "19.90"], "number"],
    [["12", "1.5", "1e3"], "string"],
    [["9223372036854775808"], "string"],
    [["2024-01-01", "2024-02-29"], "date"],
    [["2024-01-01 10:00", "2024-01-01T10:00:00Z"], "timestamp"],
    [["2024-01-01", "2024-01-01 10:00"], "string"],
    [["2024-02-30"], "string"],
    [["12", " 13"], "string"],
    [['{"a":1}'], "string"],
    [[null, ""], "string"],
    [[], "string"],
  ] as const)("%j → %s", (samples, expected) => {
    expect(inferColumnType(samples)).toBe(expected);
  });
});

describe("inference never changes a value", () => {
  // Real-looking columns: each must stay text, every value exactly as written.
  it.each([
    ["US ZIP codes", ["10001", "00501", "90210"]],
    ["one ZIP code with a leading zero among many", [...Array.from({ length: 999 }, (_, i) => String(10000 + i)), "02134"]],
    ["phone numbers with a country code", ["+4712345678", "+14155550123"]],
    ["phone numbers with a trunk prefix", ["0471234567", "0612345678"]],
    ["SKUs", ["007", "042", "123"]],
    ["16-digit account (card) numbers", ["4111111111111111", "5500000000000004"]],
    ["19-digit order references", ["1234567890123456789"]],
    ["thousands separators", ["1,234", "12,345,678"]],
    ["decimal commas (locale)", ["1,5", "12,75"]],
    ["space-grouped thousands", ["1 234", "5 678"]],
    ["part numbers that look like exponents", ["2E10", "12E45"]],
    ["numbers written without a leading digit", [".5", "5."]],
    ["many decimals", ["0.12345678901234567"]],
  ])("%s → string", (_name, samples) => {
    expect(inferColumnType(samples)).toBe("string");
  });

  it.each([
    ["counts", ["0", "12", "-3", "123456789012345"], "integer"],
    ["prices with trailing zeros (the same number)", ["19.90", "5.00", "0.5"], "number"],
  ] as const)("%s → %s", (_name, samples, type) => {
    expect(inferColumnType(samples)).toBe(type);
  });

  it("explains a value that would change in an inferred type, and accepts it once the type is chosen", () => {
    expect(inferredValueProblem("integer", "00501")).toBe(
      '"00501" would not keep its exact text as an integer (it has a leading zero). The column\'s type was inferred ' +
        "from a sample of the file; set it to string to keep every value as written, or to integer to accept the change",
    );
    expect(inferredValueProblem("integer", "+47")).toMatch(/leading \+/);
    expect(inferredValueProblem("integer", "-0")).toMatch(/would become 0/);
    expect(inferredValueProblem("integer", "1234567890123456")).toMatch(/more than 15 digits/);
    expect(inferredValueProblem("number", "1e3")).toMatch(/exponent/);
    expect(inferredValueProblem("integer", "abc")).toBe(valueProblem("integer", "abc"));
    expect(inferredValueProblem("integer", null)).toBeNull();
    expect(valueProblem("integer", "00501")).toBeNull();
  });
});

it("violation messages lead with the field", () => {
  expect(violationMessage("aqi", valueProblem("number", "abc") ?? "")).toBe('aqi: "abc" is not a number');
});
