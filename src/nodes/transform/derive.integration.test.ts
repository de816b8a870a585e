import { describe, expect, it } from "vitest";
import { runNodeFixture, table } from "@/server/engine/testing/node-fixture";
import type { TColumnType } from "../contract";
import derive from "./derive";

const reading = table(
  {
    station: "string",
    aqi: "integer",
    pm25: "number",
    day: "date",
    at: "timestamp",
    ok: "boolean",
    meta: "json",
    "PM 2.5": "number",
    empty: "string",
  },
  [["Oslo-North", 150, 12.25, "2024-02-28", "2024-01-31T23:30:00.000Z", true, { level: "high" }, 7.5, null]],
);

async function evaluate(expression: string): Promise<{ value: unknown; type: TColumnType | undefined }> {
  const result = await runNodeFixture(derive, { column: "result", expression }, { in: reading });
  if (result.problems.length > 0) throw new Error(result.problems.map((p) => p.message).join("\n"));
  const column = result.columns.find((c) => c.name === "result");
  return { value: result.records[0]?.result, type: column?.type };
}

describe("transform.derive: expressions evaluate in PostgreSQL as documented", () => {
  it.each<[string, unknown, TColumnType]>([
    ["aqi + 1", 151, "integer"],
    ["aqi / 4", 37.5, "number"],
    ["7 / 2", 3.5, "number"],
    ["aqi % 7", 3, "integer"],
    ["pm25 % 5", 2.25, "number"],
    ["aqi * pm25", 1837.5, "number"],
    ['"PM 2.5" * 2', 15, "number"],
    ["-aqi", -150, "integer"],
    ["aqi > 100 AND ok", true, "boolean"],
    ["aqi > 100 AND empty = 'x'", null, "boolean"],
    ["empty IS NULL", true, "boolean"],
    ["station LIKE 'Oslo%'", true, "boolean"],
    ["station ILIKE 'oslo%'", true, "boolean"],
    ["aqi BETWEEN 100 AND 200.5", true, "boolean"],
    ["aqi NOT IN (1, 2)", true, "boolean"],
    ["station || ' @ ' || day", "Oslo-North @ 2024-02-28", "string"],
    ["concat(station, '/', at, '/', ok)", "Oslo-North/2024-01-31T23:30:00Z/true", "string"],
    ["CASE WHEN aqi > 100 THEN 'unhealthy' ELSE 'ok' END", "unhealthy", "string"],
    ["CASE aqi WHEN 150 THEN aqi ELSE pm25 END", 150, "number"],
    ["CASE WHEN ok THEN NULL ELSE 1 END", null, "integer"],
    ["coalesce(empty, station)", "Oslo-North", "string"],
    ["nullif(aqi, 150)", null, "integer"],
    ["greatest(aqi, pm25, 200)", 200, "number"],
    ["least(day, '2024-01-01')", "2024-01-01", "date"],
    ["lower(station)", "oslo-north", "string"],
    ["upper(station)", "OSLO-NORTH", "string"],
    ["initcap('hello world')", "Hello World", "string"],
    ["trim('  x  ')", "x", "string"],
    ["trim('xxaxx', 'x')", "a", "string"],
    ["ltrim('  x')", "x", "string"],
    ["rtrim('x  ')", "x", "string"],
    ["length(station)", 10, "integer"],
    ["substr(station, 6)", "North", "string"],
    ["substring(station from 1 for 4)", "Oslo", "string"],
    ["substring(station, 6, 2)", "No", "string"],
    ["replace(station, '-', ' ')", "Oslo North", "string"],
    ["left(station, 4)", "Oslo", "string"],
    ["right(station, 5)", "North", "string"],
    ["strpos(station, '-')", 5, "integer"],
    ["split_part(station, '-', 2)", "North", "string"],
    ["md5('a')", "0cc175b9c0f1b6a831c399e269772661", "string"],
    ["abs(-aqi)", 150, "integer"],
    ["sign(-pm25)", -1, "number"],
    ["round(2.5)", 3, "number"],
    ["round(-2.5)", -3, "number"],
    ["round(pm25, 1)", 12.3, "number"],
    ["round(aqi)", 150, "integer"],
    ["ceil(pm25)", 13, "number"],
    ["floor(pm25)", 12, "number"],
    ["sqrt(16)", 4, "number"],
    ["power(2, 10)", 1024, "number"],
    ["mod(aqi, 7)", 3, "integer"],
    ["round(ln(exp(1)))", 1, "number"],
    ["date_trunc('month', day)", "2024-02-01", "date"],
    ["date_trunc('day', at)", "2024-01-31T00:00:00.000Z", "timestamp"],
    ["extract(year from at)", 2024, "integer"],
    ["extract(day from at)", 31, "integer"],
    ["date_part('epoch', day)", 1709078400, "number"],
    ["to_char(at, 'HH24:MI')", "23:30", "string"],
    ["to_char(day, 'DD.MM.YYYY')", "28.02.2024", "string"],
    ["make_date(2024, 2, 29)", "2024-02-29", "date"],
    ["day + 2", "2024-03-01", "date"],
    ["day - 28", "2024-01-31", "date"],
    ["day - '2023-02-28'", 365, "integer"],
    ["day >= '2024-02-28'", true, "boolean"],
    ["at < '2024-02-01 00:30+01:00'", false, "boolean"],
    ["at = '2024-02-01 00:30+01:00'", true, "boolean"],
    ["at = '2024-01-31 23:30'", true, "boolean"],
    ["ok = 'yes'", true, "boolean"],
    ["CAST('42' AS integer) + aqi", 192, "integer"],
    ["CAST(aqi AS text)", "150", "string"],
    ["CAST(pm25 AS integer)", null, "integer"],
    ["meta = '{\"level\": \"high\"}'", true, "boolean"],
    ["meta || '{\"x\": 1}'::json", { level: "high", x: 1 }, "json"],
    ["CAST(meta AS text)", '{"level": "high"}', "string"],
    ["day::timestamp", "2024-02-28T00:00:00.000Z", "timestamp"],
    ["greatest(at, day)", "2024-02-28T00:00:00.000Z", "timestamp"],
    ["at < day", true, "boolean"],
    ["at::date", "2024-01-31", "date"],
    ["9223372036854775807", 9223372036854775807n, "integer"],
    ["123456789012345678901234 > pm25", true, "boolean"],
  ])("%s", async (expression, value, type) => {
    if (expression === "CAST(pm25 AS integer)") {
      await expect(evaluate(expression)).rejects.toThrow(/pm25: "12.25" is not an integer/);
      return;
    }
    expect(await evaluate(expression)).toEqual({ value, type });
  });

  it("adds a new column at the end, or replaces one in place seeing its old value", async () => {
    const added = await runNodeFixture(derive, { column: "double", expression: "aqi * 2" }, { in: reading });
    expect(added.columns.map((c) => c.name)).toEqual([...reading.columns.map((c) => c.name), "double"]);
    const replaced = await runNodeFixture(derive, { column: "aqi", expression: "aqi > 100" }, { in: reading });
    expect(replaced.columns.map((c) => `${c.name}:${c.type}`).slice(0, 3)).toEqual([
      "station:string",
      "aqi:boolean",
      "pm25:number",
    ]);
    expect(replaced.records[0]?.aqi).toBe(true);
    expect(replaced.lineage).toEqual(["Lin:0"]);
  });

  it("keeps hostile text as data", async () => {
    const hostile = table({ 'a "b"': "string", select: "integer" }, [["'; DROP TABLE x; --", 1]]);
    const result = await runNodeFixture(
      derive,
      { column: "from", expression: `"a ""b""" || '''; DROP TABLE y; --' || "select"` },
      { in: hostile },
    );
    expect(result.records).toEqual([{ 'a "b"': "'; DROP TABLE x; --", select: 1, from: "'; DROP TABLE x; --'; DROP TABLE y; --1" }]);
  });

  it("fails the run, naming the value, when a division by zero or a bad cast happens", async () => {
    await expect(evaluate("aqi / (aqi - 150)")).rejects.toThrow(/division by zero/);
    await expect(evaluate("CAST(station AS integer)")).rejects.toThrow(/station: "Oslo-North" is not an integer/);
  });

  it("reports expression problems at the expression, and bad column names at the column", async () => {
    const unknown = await runNodeFixture(derive, { column: "x", expression: "aqii + 1" }, { in: reading });
    expect(unknown.problems).toEqual([
      { path: ["expression"], message: 'Unknown column "aqii". Did you mean "aqi"? (line 1, column 1)' },
    ]);
    const reserved = await runNodeFixture(derive, { column: "_sluice_x", expression: "1" }, { in: reading });
    expect(reserved.problems).toEqual([{ path: ["column"], message: expect.stringMatching(/reserved/) }]);
  });
});
