import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import type { TColumnType } from "../contract";
import { ident, render, sql } from "../sql";
import { parseValue } from "../values";
import { convert, fromText, pgType, raisedErrorMessage, toText } from "./conversions";

// Texts on both sides of every format rule, including PERFORMANCE.md's traps: the SQL
// conversion must accept exactly what values.ts accepts, and give the same value.
const SAMPLES: Record<Exclude<TColumnType, "string" | "json">, string[]> = {
  integer: [
    "0", "-0", "+5", "12", "007", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
    "-9223372036854775809", `000000000000000000000000${"12"}`, `1${"0".repeat(400)}`, " 12", "12 ", "1.0", "1e3",
    "abc", "0x1F", "1_000", "NaN", "infinity", "+", "-",
  ],
  number: [
    "0", "-0", "1.5", "-.5", "5.", "1e3", "1E-3", "+2.5e+10", "1e308", "1.7976931348623157e308",
    "1.7976931348623159e308", "1e309", "1e400", "1e-310", "1e-320", "1e-400", "4e-324", "2e-324", "0e99999999999",
    "0.000e-99999999999", "1e99999999999", "1e-99999999999", `1${"0".repeat(400)}`, `0.${"0".repeat(400)}1`,
    `.${"0".repeat(350)}1e300`, `${"9".repeat(310)}e-5`, "NaN", "Infinity", "-inf", " 1", "1 ", "1,5", ".", "e5", "1e",
    "1.2.3", "12345678901234567890123",
  ],
  boolean: ["true", "TRUE", "t", "yes", "Y", "n", "No", "1", "0", "f", "false", "on", "off", "2", "tru", " true"],
  date: [
    "2024-01-31", "2024-02-29", "2023-02-29", "2024-02-30", "1900-02-29", "2000-02-29", "0000-01-01", "0001-01-01",
    "0099-06-15", "9999-12-31", "2024-13-01", "2024-00-10", "2024-04-31", "2024-1-01", "20240101", "yesterday", "epoch",
    "infinity", " 2024-01-01", "2024-01-01T00:00",
  ],
  timestamp: [
    "2024-01-31 12:00", "2024-01-31T12:00:59", "2024-01-31T12:00:59.123456Z", "2024-01-31T12:00:59.1234567Z",
    "2024-01-31 12:00+01:00", "2024-01-31 12:00-0530", "2024-01-31 12:00+15", "2024-01-31 12:00-15:59",
    "2024-01-31 12:00+16", "2024-01-31 12:00+99:99", "2024-01-31 12:00+05:60", "2024-01-31 24:00",
    "2024-01-31 23:60", "2024-01-31 23:59:60", "2024-02-30 12:00", "2023-02-29 00:00", "0000-01-01 00:00",
    "2024-01-31 12:00z", "2024-01-31t12:00", "2024-01-31  12:00", "2024-01-31 12:00.5", "now", "epoch", "2024-01-31",
    "2024-01-31 12:00:00.5+01:00", "9999-12-31 23:59:59.999999Z", "1999-12-31 23:30-01",
  ],
};

let database: TestDatabase;
let client: pg.PoolClient;

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.pool.connect();
  // A session time zone far from UTC: results must not depend on it.
  await client.query("SET TimeZone = 'Pacific/Chatham'");
  await client.query("CREATE TEMP TABLE samples (id integer, v text)");
});

afterAll(async () => {
  client.release();
  await database.drop();
});

/** The value converted from text and back to text, or the message of the error it raised. */
async function roundTrip(type: TColumnType, text: string): Promise<{ text: string | null } | { error: string }> {
  await client.query("TRUNCATE samples");
  await client.query("INSERT INTO samples VALUES (1, $1)", [text]);
  const v = sql`${ident("v")}`;
  const query = sql`SELECT ${toText(fromText(v, type, "v"), type)} AS out FROM samples`;
  try {
    const result = await client.query<{ out: string | null }>(render(query));
    return { text: result.rows[0]?.out ?? null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { error: raisedErrorMessage(message) ?? `not raised by Sluice: ${message}` };
  }
}

/** values.ts's value written the way toText writes it. */
function expectedText(type: TColumnType, text: string): string | null {
  const parsed = parseValue(type, text);
  if (!parsed.ok) throw new Error("expectedText of an invalid value");
  const value = parsed.value;
  if (value === null) return null;
  if (type === "timestamp") return String(value).replace(/\.?0*Z$/, "Z");
  return String(value);
}

describe("text conversions in SQL agree with values.ts", () => {
  for (const [type, samples] of Object.entries(SAMPLES) as [TColumnType, string[]][]) {
    it.each(samples.map((s) => [s.length > 40 ? `${s.slice(0, 40)}…` : s, s]))(`${type}: %s`, async (_, text) => {
      const expected = parseValue(type, text);
      const actual = await roundTrip(type, text);
      if (expected.ok) {
        if ("error" in actual) throw new Error(`valid per values.ts, but SQL said: ${actual.error}`);
        if (type === "number") expect(Number(actual.text)).toBe(expected.value);
        else expect(actual.text).toBe(expectedText(type, text));
      } else {
        expect(actual).toEqual({ error: expect.stringMatching(/^v: ".*" (is|has) /) });
      }
    });
  }

  it("treats NULL and the empty text as NULL for every type", async () => {
    for (const type of ["integer", "number", "boolean", "date", "timestamp", "json"] as const) {
      expect(await roundTrip(type, "")).toEqual({ text: null });
    }
  });

  it("shortens long bad values in the message", async () => {
    const actual = await roundTrip("integer", "x".repeat(500));
    expect(actual).toEqual({ error: `v: "${"x".repeat(60)}…" is not an integer` });
  });

  it("reads JSON, and fails on text that is not JSON", async () => {
    expect(await roundTrip("json", '{"a": [1, 2.50]}')).toEqual({ text: '{"a": [1, 2.50]}' });
    expect(await roundTrip("json", '"x"')).toEqual({ text: "x" });
    expect(await roundTrip("json", "{a: 1}")).toEqual({ error: expect.stringContaining("invalid input syntax for type json") });
  });
});

describe("conversions between typed values", () => {
  async function converted(from: TColumnType, to: TColumnType, literal: string): Promise<unknown> {
    const source = sql`CAST(CAST(${literal} AS text) AS ${pgType(from)})`;
    const query = sql`SELECT ${toText(convert(source, from, to, "c"), to)} AS out`;
    try {
      return (await client.query<{ out: unknown }>(render(query))).rows[0]?.out;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return raisedErrorMessage(message) ?? message;
    }
  }

  it.each<[TColumnType, TColumnType, string, unknown]>([
    ["integer", "number", "12", "12"],
    ["number", "integer", "12", "12"],
    ["number", "integer", "12.5", 'c: "12.5" is not an integer'],
    ["number", "integer", "1e20", 'c: "1e+20" is not an integer'],
    ["integer", "boolean", "1", "true"],
    ["integer", "boolean", "2", 'c: "2" is not a boolean (use true/false, yes/no, t/f, y/n or 1/0)'],
    ["boolean", "integer", "true", "1"],
    ["boolean", "number", "false", "0"],
    ["date", "timestamp", "2024-01-31", "2024-01-31T00:00:00Z"],
    ["timestamp", "date", "2024-01-31 23:30-02:00", "2024-02-01"],
    ["timestamp", "string", "2024-01-31 12:00:00.25+01:00", "2024-01-31T11:00:00.25Z"],
    ["date", "string", "0099-06-15", "0099-06-15"],
    ["number", "string", "0.1", "0.1"],
    ["boolean", "string", "yes", "true"],
    ["integer", "json", "12", "12"],
    ["date", "json", "2024-01-31", "2024-01-31"],
    ["json", "integer", "12", "12"],
    ["json", "string", '{"a":1}', '{"a": 1}'],
    ["json", "date", '"2024-01-31"', "2024-01-31"],
    ["json", "boolean", "[1]", 'c: "[1]" is not a boolean (use true/false, yes/no, t/f, y/n or 1/0)'],
  ])("%s → %s: %s", async (from, to, literal, expected) => {
    expect(await converted(from, to, literal)).toBe(expected);
  });
});
