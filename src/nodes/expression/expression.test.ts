import { describe, expect, it } from "vitest";
import type { Column, TColumnType } from "../contract";
import { render } from "../sql";
import { compileExpression, formatExpressionErrors, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH } from "./expression";
import { FUNCTION_NAMES } from "./functions";

const columns: Column[] = [
  { name: "aqi", type: "integer" },
  { name: "pm25", type: "number" },
  { name: "city", type: "string" },
  { name: "day", type: "date" },
  { name: "at", type: "timestamp" },
  { name: "ok", type: "boolean" },
  { name: "meta", type: "json" },
  { name: "PM 2.5", type: "number" },
  { name: 'say "hi"', type: "string" },
  { name: "Station", type: "string" },
];

function typeOf(text: string): TColumnType {
  const result = compileExpression(text, columns);
  if (!result.ok) throw new Error(`${text}: ${formatExpressionErrors(result.errors)}`);
  return result.type;
}

function errorsOf(text: string) {
  const result = compileExpression(text, columns);
  if (result.ok) throw new Error(`${text} compiled, but should not`);
  return result.errors;
}

function firstError(text: string) {
  const [error] = errorsOf(text);
  if (!error) throw new Error(`${text}: no error`);
  return error;
}

describe("compileExpression: what it accepts, and the type it infers", () => {
  it.each<[string, TColumnType]>([
    ["aqi > 100", "boolean"],
    ["aqi > 100 AND city <> 'Oslo' OR NOT ok", "boolean"],
    ["aqi + 1", "integer"],
    ["aqi * 2 - 3 % 2", "integer"],
    ["aqi + 1.5", "number"],
    ["aqi / 2", "number"],
    ["pm25 % 2", "number"],
    ["-aqi", "integer"],
    ['"PM 2.5" * 2', "number"],
    ['"say ""hi"""', "string"],
    ["city || '!'", "string"],
    ["city || aqi", "string"],
    ["meta || meta", "json"],
    ["city LIKE 'O%'", "boolean"],
    ["city NOT ILIKE '%x%'", "boolean"],
    ["aqi BETWEEN 1 AND 10", "boolean"],
    ["aqi NOT BETWEEN 1 AND 10.5", "boolean"],
    ["aqi IN (1, 2, 3)", "boolean"],
    ["city NOT IN ('a', 'b')", "boolean"],
    ["aqi IS NULL", "boolean"],
    ["ok IS NOT TRUE", "boolean"],
    ["CASE WHEN aqi > 100 THEN 'bad' ELSE 'ok' END", "string"],
    ["CASE WHEN aqi > 100 THEN aqi ELSE pm25 END", "number"],
    ["CASE aqi WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "string"],
    ["CASE WHEN ok THEN NULL ELSE day END", "date"],
    ["coalesce(aqi, 0)", "integer"],
    ["coalesce(aqi, pm25)", "number"],
    ["nullif(city, '')", "string"],
    ["greatest(day, '2024-01-01')", "date"],
    ["least(aqi, 5)", "integer"],
    ["CAST(city AS integer)", "integer"],
    ["city::date", "date"],
    ["aqi::text", "string"],
    ["aqi::double precision", "number"],
    ["CAST(aqi AS numeric)", "number"],
    ["city::timestamptz", "timestamp"],
    ["day::timestamp", "timestamp"],
    ["CAST(NULL AS integer)", "integer"],
    ["'2024-01-31'::date", "date"],
    ["date '2024-01-31'", "date"],
    ["lower(city)", "string"],
    ["length(city)", "integer"],
    ["strpos(city, 'a')", "integer"],
    ["substr(city, 2, 3)", "string"],
    ["substring(city from 2 for 3)", "string"],
    ["split_part(city, '-', 1)", "string"],
    ["concat(city, aqi, day)", "string"],
    ["round(pm25)", "number"],
    ["round(aqi)", "integer"],
    ["round(pm25, 2)", "number"],
    ["abs(aqi)", "integer"],
    ["sign(pm25)", "number"],
    ["mod(aqi, 7)", "integer"],
    ["sqrt(aqi)", "number"],
    ["power(2, aqi)", "number"],
    ["date_trunc('month', day)", "date"],
    ["date_trunc('hour', at)", "timestamp"],
    ["extract(year from day)", "integer"],
    ["date_part('epoch', at)", "number"],
    ["to_char(at, 'YYYY')", "string"],
    ["make_date(2024, 1, aqi)", "date"],
    ["day + 7", "date"],
    ["day - 7", "date"],
    ["day - '2024-01-01'", "integer"],
    ["day >= '2024-01-31'", "boolean"],
    ["at < '2024-01-31 12:00+01:00'", "boolean"],
    ["ok = 'yes'", "boolean"],
    ["meta = meta", "boolean"],
    ["123456789012345678901234 > pm25", "boolean"],
    ["AQI > 1", "boolean"],
    ["at >= day", "boolean"],
    ["greatest(at, day)", "timestamp"],
    ["station = 'x'", "boolean"],
  ])("%s → %s", (text, type) => {
    expect(typeOf(text)).toBe(type);
  });

  it("lists the columns it reads, once each, in order of first use", () => {
    const result = compileExpression('pm25 + aqi > aqi AND "PM 2.5" > 0', columns);
    expect(result.ok && result.columnsUsed).toEqual(["pm25", "aqi", "PM 2.5"]);
  });

  it("matches a bare name case-insensitively only when one column fits", () => {
    const twins: Column[] = [
      { name: "Value", type: "integer" },
      { name: "VALUE", type: "integer" },
    ];
    expect(compileExpression('"Value" > 1', twins).ok).toBe(true);
    expect(compileExpression("value > 1", twins).ok).toBe(false);
  });
});

describe("compileExpression: what it rejects, with position and reason", () => {
  it.each<[string, RegExp, number]>([
    ["aqii > 1", /Unknown column "aqii"\. Did you mean "aqi"\?/, 0],
    ["aqi > 1 AND cty = 'x'", /Unknown column "cty"\. Did you mean "city"\?/, 12],
    ["pg_sleep(1)", /Unknown function pg_sleep\(\)\. Allowed functions: abs, /, 0],
    ["current_setting('x')", /Unknown function current_setting\(\)/, 0],
    ["sum(aqi)", /aggregate function/, 0],
    ["count(*)", /aggregate function/, 0],
    ["row_number() over ()", /Window functions/, 0],
    ["generate_series(1, 2)", /returns a set of rows/, 0],
    ["now()", /different result on every run/, 0],
    ["random() > 0.5", /different result on every run/, 0],
    ["current_date", /different result on every run/, 0],
    ["(SELECT 1)", /Subqueries/, 1],
    ["aqi IN (SELECT aqi FROM t)", /Subqueries/, 8],
    ["aqi > 1; DROP TABLE t", /Syntax error: unexpected ";"/, 7],
    ["aqi > 1 -- comment", /Comments are not allowed/, 8],
    ["aqi /* c */ > 1", /Comments are not allowed/, 4],
    ["aqi >", /expression is incomplete/, 5],
    ["city = 'open", /quoted text is not closed/, 7],
    ['"city = 1', /quoted name is not closed/, 0],
    ["t.aqi > 1", /Qualified names/, 0],
    ["pg_catalog.lower(city)", /Schema-qualified functions/, 0],
    ["$1 > 2", /Parameters like \$1/, 0],
    ["aqi ~ '1'", /regular expressions are not supported/, 0],
    ["city + 1", /The left side of \+ needs an integer or a number, but this is text/, 0],
    ["aqi > 'abc'", /"abc" is not an integer/, 6],
    ["day = '2024-02-30'", /"2024-02-30" is not a real calendar date/, 6],
    ["day = aqi", /mixes a date and an integer/, 6],
    ["ok AND aqi", /AND needs true\/false, but this is an integer/, 7],
    ["aqi::varchar(5)", /Type modifiers/, 5],
    ["aqi::int[]", /Arrays are not supported/, 5],
    ["aqi::money", /Cannot convert to money/, 5],
    ["day::integer", /Cannot convert a date to an integer/, 0],
    ["lower(city, city)", /lower\(\) takes 1 argument, not 2/, 0],
    ["date_trunc('fortnight', day)", /The unit must be one of/, 11],
    ["extract(fortnight from day)", /EXTRACT cannot take "fortnight"/, 8],
    ["NULL", /always NULL/, 0],
    ["at - at", /Arithmetic on timestamps/, 0],
    ["1e5 > aqi", /Exponent notation \(1e5\) is not supported/, 0],
    ["aqi > 2.5E-3", /Exponent notation \(2.5E-3\) is not supported/, 6],
    ["meta < meta", /JSON values can only be compared with = and <>/, 0],
  ])("%s", (text, message, offset) => {
    const error = firstError(text);
    expect(error.message).toMatch(message);
    expect(error.offset).toBe(offset);
  });

  it("reports every unknown column, not only the first", () => {
    expect(errorsOf("foo > 1 AND bar < 2").map((e) => e.message)).toEqual([
      expect.stringMatching(/Unknown column "foo"/),
      expect.stringMatching(/Unknown column "bar"/),
    ]);
  });

  it("lists the columns when no name is close", () => {
    expect(firstError("zzzzzz > 1").message).toMatch(/Available columns: "aqi", "pm25", "city"/);
  });

  it("gives line and column on multi-line expressions", () => {
    const error = firstError("aqi > 1\n  AND nope = 2");
    expect(error).toMatchObject({ line: 2, column: 7, offset: 14, length: 4 });
  });

  it("refuses empty, overlong and too deeply nested expressions", () => {
    expect(firstError("   ").message).toMatch(/empty/);
    expect(firstError(`aqi > ${"1".padEnd(MAX_EXPRESSION_LENGTH, "0")}`).message).toMatch(/at most 4096/);
    const deep = `${"(".repeat(0)}${"abs(".repeat(MAX_EXPRESSION_DEPTH + 1)}aqi${")".repeat(MAX_EXPRESSION_DEPTH + 1)}`;
    expect(firstError(deep).message).toMatch(/nested more than 64 levels/);
  });

  it("refuses thousands of redundant parentheses before parsing them, pointing at the first one too many", () => {
    const error = firstError(`${"(".repeat(2040)}aqi${")".repeat(2040)}`);
    expect(error.message).toMatch(/nested more than 64 levels/);
    expect(error).toMatchObject({ offset: MAX_EXPRESSION_DEPTH, length: 1 });
    // Brackets inside quoted text and quoted names are not nesting.
    const quoted = `city = '${"(".repeat(100)}' OR "${"[".repeat(60)}" IS NULL`;
    expect(compileExpression(quoted, [...columns, { name: "[".repeat(60), type: "string" }]).ok).toBe(true);
  });

  it("types the same text anew for other columns (parsing is shared, checking is not)", () => {
    const asInteger = compileExpression("aqi + 1", [{ name: "aqi", type: "integer" }]);
    const asNumber = compileExpression("aqi + 1", [{ name: "aqi", type: "number" }]);
    expect([asInteger.ok && asInteger.type, asNumber.ok && asNumber.type]).toEqual(["integer", "number"]);
    expect(compileExpression("aqi + 1", [{ name: "pm25", type: "number" }]).ok).toBe(false);
  });

  it("documents a function list it really supports", () => {
    for (const name of FUNCTION_NAMES) expect(firstError(`${name}()`).message).not.toMatch(/Unknown function/);
  });
});

describe("compileExpression: generated SQL", () => {
  it("never contains user text: literals are parameters, names are quoted", () => {
    const hostile = "'; DROP TABLE x; --";
    const result = compileExpression(`city = '${hostile.replaceAll("'", "''")}' OR "say ""hi""" LIKE '%"%'`, columns);
    if (!result.ok) throw new Error(formatExpressionErrors(result.errors));
    const { text, values } = render(result.sql);
    expect(text).not.toContain("DROP");
    expect(text).toContain('"say ""hi"""');
    expect(values).toContain(hostile);
    expect(values).toContain('%"%');
  });

  it("passes numbers as parameters, exactly as written", () => {
    const result = compileExpression("aqi > 9223372036854775807 OR pm25 > 0.1", columns);
    if (!result.ok) throw new Error(formatExpressionErrors(result.errors));
    const { text, values } = render(result.sql);
    expect(values).toEqual(["9223372036854775807", "0.1"]);
    expect(text).not.toMatch(/922|0\.1/);
  });

  it("is deterministic: the same text gives the same SQL", () => {
    const a = compileExpression("CASE WHEN aqi > 1 THEN lower(city) END", columns);
    const b = compileExpression("CASE WHEN aqi > 1 THEN lower(city) END", columns);
    expect(a.ok && render(a.sql)).toEqual(b.ok && render(b.sql));
  });
});
