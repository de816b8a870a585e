/**
 * The value formats of src/nodes/values.ts, in SQL: which texts are valid for each column
 * type, their typed value, and the message for an invalid one (the same wording as the
 * JavaScript parsers). Every cast sits behind a CASE that first proves it cannot fail:
 * a regex for the shape, then a range guard (calendar, int8 bounds, double exponent), so
 * one bad value can never abort the statement (PERFORMANCE.md traps 2 and 3).
 *
 * Typed inputs are checked through a canonical text of their value, the same text the
 * quarantine record stores, so re-validating a quarantined record in JavaScript gives
 * the same answer.
 */
import type { TColumnType } from "@/nodes/contract";
import { literal, raw, sql, type Sql } from "@/nodes/sql";
import { INT8_MAX, INT8_MIN } from "@/nodes/values";

const INTEGER_RE = "^[+-]?[0-9]+$";
const NUMBER_RE = "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$";
const ZERO_NUMBER_RE = "^[+-]?[0.]*([eE].*)?$";
const DATE_RE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
const TIMESTAMP_RE =
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$";

/**
 * Dates and timestamps are matched by shape rather than by DATE_RE/TIMESTAMP_RE, which
 * PostgreSQL runs slowly: every digit becomes 0 and the `T` separator a space, and the
 * result must be one of these shapes (a hashed IN list). Measured on PG 15, a timestamp's
 * whole typed expression went from ~7.5 µs to ~4.5 µs. It accepts exactly what the regexes
 * accept: each shape character has a single preimage class at its position.
 */
const DATE_SHAPE = "0000-00-00";
const TIMESTAMP_SHAPES = ["", ":00", ...[1, 2, 3, 4, 5, 6].map((n) => `:00.${"0".repeat(n)}`)].flatMap((seconds) =>
  ["", "Z", "+00", "-00", "+0000", "-0000", "+00:00", "-00:00"].map((zone) => `0000-00-00 00:00${seconds}${zone}`),
);
const shapeOf = (t: Sql, separator: boolean): Sql =>
  separator ? sql`translate(${t}, '123456789T', '000000000 ')` : sql`translate(${t}, '123456789', '000000000')`;
/** What JavaScript's String.prototype.trim removes, so "surrounding spaces" hints agree. */
const JS_SPACE = "[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";
const SURROUNDING_SPACE_RE = `^${JS_SPACE}|${JS_SPACE}$`;
const TRUE_WORDS = ["true", "t", "yes", "y", "1"];
const FALSE_WORDS = ["false", "f", "no", "n", "0"];

/** Decimal digits of the smallest magnitude that overflows a double: 2^1024 − 2^970 (10^308 ≤ it < 10^309). */
const DOUBLE_OVERFLOW_DIGITS = (2n ** 1024n - 2n ** 970n).toString().replace(/0+$/, "");
/** Decimal digits of the largest magnitude that rounds to zero: 2^-1075 = 5^1075 / 10^1075 (10^-324 ≤ it < 10^-323). */
const DOUBLE_ZERO_DIGITS = (5n ** 1075n).toString().replace(/0+$/, "");

const lit = (text: string): Sql => sql`${raw(literal(text))}`;

/** The longest value shown in a message, as in values.ts's showValue. */
const MAX_SHOWN = 60;

/** A text cut for a message: as showPlain in rules.ts. */
export function shownPlain(t: Sql): Sql {
  return sql`(CASE WHEN char_length(${t}) > ${raw(String(MAX_SHOWN))} THEN left(${t}, ${raw(String(MAX_SHOWN))}) || '…' ELSE ${t} END)`;
}

/** A text cut and quoted for a message: values.ts's showValue. */
export function shownQuoted(t: Sql): Sql {
  return sql`to_json(${shownPlain(t)})::text`;
}

/**
 * The canonical text of a column of `type`: what validation checks and quarantine
 * stores. Values a typed column can hold but the format refuses (dates before year 1,
 * infinity) keep PostgreSQL's own text, which the format then rejects.
 */
export function canonicalText(column: Sql, type: TColumnType): Sql {
  switch (type) {
    case "string":
      return column;
    case "integer":
    case "number":
    case "json":
      return sql`${column}::text`;
    case "boolean":
      return sql`(CASE WHEN ${column} THEN 'true' WHEN NOT ${column} THEN 'false' END)`;
    case "date":
      return sql`(CASE WHEN ${column} BETWEEN DATE '0001-01-01' AND DATE '9999-12-31'
        THEN to_char(${column}, 'YYYY-MM-DD') ELSE ${column}::text END)`;
    case "timestamp":
      return sql`(CASE WHEN ${column} >= TIMESTAMPTZ '0001-01-01 00:00:00+00' AND ${column} < TIMESTAMPTZ '10000-01-01 00:00:00+00'
        THEN to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE ${column}::text END)`;
  }
}

function int(t: Sql, from: number, length: number): Sql {
  return sql`substr(${t}, ${raw(String(from))}, ${raw(String(length))})::int`;
}

/** Year, month and day (SQL ints) form a real calendar date with year 0001–9999. */
function realDate(y: Sql, m: Sql, d: Sql): Sql {
  return sql`(${y} BETWEEN 1 AND 9999 AND ${m} BETWEEN 1 AND 12 AND ${d} BETWEEN 1 AND
    CASE WHEN ${m} = 2 THEN CASE WHEN (${y} % 4 = 0 AND ${y} % 100 <> 0) OR ${y} % 400 = 0 THEN 29 ELSE 28 END
         WHEN ${m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END)`;
}

const dateParts = (t: Sql) => ({ y: int(t, 1, 4), m: int(t, 6, 2), d: int(t, 9, 2) });

/** Parts of a text already known to have a timestamp shape (fixed positions up to the minutes). */
function timeParts(t: Sql) {
  const rest = sql`substr(${t}, 17)`;
  // Only an offset's sign can follow the minutes: the date's dashes come before position 17.
  const zoneAt = sql`greatest(strpos(${rest}, '+'), strpos(${rest}, '-'))`;
  const zone = sql`substr(${rest}, ${zoneAt})`;
  return {
    hour: int(t, 12, 2),
    minute: int(t, 15, 2),
    second: sql`(CASE WHEN substr(${t}, 17, 1) = ':' THEN ${int(t, 18, 2)} ELSE 0 END)`,
    hasZone: sql`(${zoneAt} > 0 OR right(${t}, 1) = 'Z')`,
    offsetHours: sql`(CASE WHEN ${zoneAt} > 0 THEN substr(${zone}, 2, 2)::int ELSE 0 END)`,
    offsetMinutes: sql`(CASE WHEN ${zoneAt} > 0 AND char_length(${zone}) > 3 THEN right(${zone}, 2)::int ELSE 0 END)`,
  };
}

/**
 * Whether a text matching NUMBER_RE with a non-zero mantissa and an exponent reads as a
 * finite, non-zero double. e10 is the decimal exponent of its leading digit; only at
 * e10 = 308 and e10 = −324 does the digit string need comparing with the exact limits.
 */
function doubleInRange(t: Sql): Sql {
  const mantissa = sql`substring(${t} from '^[+-]?([0-9.]*)')`;
  const exponent = sql`coalesce(substring(${t} from '[eE]([+-]?[0-9]+)$'), '0')`;
  return sql`(SELECT CASE
      WHEN char_length(ltrim(ltrim(x.e, '+-'), '0')) > 9 THEN false
      ELSE (x.e::bigint + x.int_len - x.first_digit) < 308 AND (x.e::bigint + x.int_len - x.first_digit) > -324
        OR (x.e::bigint + x.int_len - x.first_digit) = 308 AND x.sig COLLATE "C" < ${lit(DOUBLE_OVERFLOW_DIGITS)}
        OR (x.e::bigint + x.int_len - x.first_digit) = -324 AND x.sig COLLATE "C" > ${lit(DOUBLE_ZERO_DIGITS)}
    END
    FROM (SELECT ${exponent} AS e,
                 strpos(${mantissa} || '.', '.') - 1 AS int_len,
                 char_length(replace(${mantissa}, '.', '')) - char_length(ltrim(replace(${mantissa}, '.', ''), '0')) + 1 AS first_digit,
                 rtrim(ltrim(replace(${mantissa}, '.', ''), '0'), '0') AS sig) AS x)`;
}

/**
 * The typed value of a text, NULL when the text is NULL, empty or invalid for `type`.
 * `t` must be a plain column reference or parameter: it is repeated.
 */
export function typedFromText(type: TColumnType, t: Sql): Sql {
  switch (type) {
    case "string":
      return sql`NULLIF(${t}, '')`;
    case "integer":
      return sql`(CASE WHEN ${t} !~ ${lit(INTEGER_RE)} THEN NULL
        WHEN char_length(ltrim(${t}, '+-0')) > 19 THEN NULL
        WHEN ${t}::numeric BETWEEN ${raw(INT8_MIN.toString())} AND ${raw(INT8_MAX.toString())} THEN ${t}::bigint END)`;
    case "number":
      return sql`(CASE WHEN ${t} !~ ${lit(NUMBER_RE)} THEN NULL
        WHEN strpos(${t}, 'e') = 0 AND strpos(${t}, 'E') = 0 AND char_length(${t}) < 300 THEN ${t}::float8
        WHEN ${t} ~ ${lit(ZERO_NUMBER_RE)} THEN ${t}::float8
        WHEN ${doubleInRange(t)} THEN ${t}::float8 END)`;
    case "boolean":
      return sql`(CASE WHEN lower(${t}) IN (${raw(TRUE_WORDS.map(literal).join(", "))}) THEN true
        WHEN lower(${t}) IN (${raw(FALSE_WORDS.map(literal).join(", "))}) THEN false END)`;
    case "date": {
      const { y, m, d } = dateParts(t);
      return sql`(CASE WHEN ${shapeOf(t, false)} <> ${lit(DATE_SHAPE)} THEN NULL
        WHEN ${realDate(y, m, d)} THEN make_date(${y}, ${m}, ${d}) END)`;
    }
    case "timestamp": {
      const { y, m, d } = dateParts(t);
      const p = timeParts(t);
      // Once shape and ranges are proven, PostgreSQL's own ISO 8601 reader is exact (and fast);
      // a missing offset means UTC, never the session's time zone.
      return sql`(CASE WHEN ${shapeOf(t, true)} NOT IN (${raw(TIMESTAMP_SHAPES.map(literal).join(", "))}) THEN NULL
        WHEN ${realDate(y, m, d)} AND ${p.hour} <= 23 AND ${p.minute} <= 59 AND ${p.second} <= 59
             AND ${p.offsetHours} <= 15 AND ${p.offsetMinutes} <= 59
        THEN (${t} || CASE WHEN ${p.hasZone} THEN '' ELSE '+00' END)::timestamptz END)`;
    }
    case "json":
      return sql`(CASE WHEN ${t} <> '' THEN pg_temp.sluice_try_jsonb(${t}) END)`;
  }
}

function notA(t: Sql, noun: string, hint?: string): Sql {
  const hinted = hint ? sql`' (' || ${lit(hint)} || ')'` : sql`''`;
  return sql`${shownQuoted(t)} || ${lit(` is not ${noun}`)} ||
    CASE WHEN ${t} ~ ${lit(SURROUNDING_SPACE_RE)} THEN ' (it has surrounding spaces)' ELSE ${hinted} END`;
}

function dateProblem(t: Sql): Sql {
  const { y, m, d } = dateParts(t);
  return sql`CASE WHEN ${y} < 1 THEN ${shownQuoted(t)} || ' has a year outside 0001–9999'
    WHEN ${m} NOT BETWEEN 1 AND 12 THEN ${shownQuoted(t)} || ' has no month ' || ${m}
    WHEN NOT ${realDate(y, m, d)} THEN ${shownQuoted(t)} || ' is not a real calendar date' END`;
}

/**
 * Why a non-empty text is not a valid `type` (values.ts's message, without the field
 * prefix). Only evaluated for texts {@link typedFromText} refused, so it may be slow.
 */
export function typeProblem(type: TColumnType, t: Sql): Sql {
  switch (type) {
    case "string":
      // PostgreSQL text cannot hold NUL, the only invalid string.
      return sql`NULL::text`;
    case "integer":
      return sql`CASE WHEN ${t} ~ ${lit(INTEGER_RE)}
        THEN ${shownQuoted(t)} || ${lit(` is out of range for an integer (${INT8_MIN} to ${INT8_MAX})`)}
        WHEN ${t} ~ ${lit(NUMBER_RE)} THEN ${notA(t, "an integer", "it has a fraction or exponent")}
        ELSE ${notA(t, "an integer")} END`;
    case "number":
      return sql`CASE WHEN ${t} ~ ${lit(NUMBER_RE)}
        THEN ${shownQuoted(t)} || ' is out of range for a number (a double has about 1e-308 to 1e308)'
        ELSE ${notA(t, "a number")} END`;
    case "boolean":
      return notA(t, "a boolean", "use true/false, yes/no, t/f, y/n or 1/0");
    case "date":
      return sql`CASE WHEN ${t} !~ ${lit(DATE_RE)} THEN ${notA(t, "a date", "use YYYY-MM-DD")} ELSE ${dateProblem(t)} END`;
    case "timestamp": {
      const p = timeParts(t);
      const { y, m, d } = dateParts(t);
      return sql`CASE WHEN ${t} !~ ${lit(TIMESTAMP_RE)}
          THEN ${notA(t, "a timestamp", "use YYYY-MM-DD HH:MM[:SS[.ffffff]] with an optional Z or ±HH:MM offset")}
        WHEN NOT ${realDate(y, m, d)} THEN ${dateProblem(t)}
        WHEN ${p.hour} > 23 OR ${p.minute} > 59 OR ${p.second} > 59
          THEN ${shownQuoted(t)} || ' is not a real time of day (00:00:00 to 23:59:59)'
        ELSE ${shownQuoted(t)} || ' has an impossible UTC offset (hours 00–15, minutes 00–59)' END`;
    }
    case "json":
      return sql`${shownQuoted(t)} || ' is not valid JSON: ' || pg_temp.sluice_jsonb_problem(${t})`;
  }
}

/** values.ts's MAX_JSON_DEPTH: deeper documents are refused even where this server could store them. */
const MAX_JSON_DEPTH = 1000;

/** Removes JSON strings, then everything but brackets (an E'' literal: independent of standard_conforming_strings). */
const JSON_STRING_RE = String.raw`E'"([^"\\\\]|\\\\.)*"'`;

/**
 * Session-local helpers for JSON, which no regex can check: whether a valid document nests
 * too deep, the reason a text is refused, and a try-cast. Temporary functions need no
 * migration in the data database.
 */
export const JSON_FUNCTIONS: readonly string[] = [
  `CREATE OR REPLACE FUNCTION pg_temp.sluice_json_too_deep(t text) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  brackets text;
  depth int := 0;
BEGIN
  -- Fewer brackets than the limit cannot nest deeper than it.
  IF char_length(t) - char_length(translate(t, '[{', '')) <= ${MAX_JSON_DEPTH} THEN
    RETURN false;
  END IF;
  brackets := regexp_replace(regexp_replace(t, ${JSON_STRING_RE}, '', 'g'), '[^][{}]', '', 'g');
  FOR i IN 1 .. char_length(brackets) LOOP
    depth := depth + CASE WHEN substr(brackets, i, 1) IN ('[', '{') THEN 1 ELSE -1 END;
    IF depth > ${MAX_JSON_DEPTH} THEN
      RETURN true;
    END IF;
  END LOOP;
  RETURN false;
END
$fn$`,
  `CREATE OR REPLACE FUNCTION pg_temp.sluice_try_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  v jsonb;
BEGIN
  BEGIN
    v := t::jsonb;
  EXCEPTION WHEN others THEN
    RETURN NULL;
  END;
  IF pg_temp.sluice_json_too_deep(t) THEN
    RETURN NULL;
  END IF;
  RETURN v;
END
$fn$`,
  `CREATE OR REPLACE FUNCTION pg_temp.sluice_jsonb_problem(t text) RETURNS text LANGUAGE plpgsql AS $fn$
BEGIN
  BEGIN
    PERFORM t::jsonb;
  EXCEPTION WHEN others THEN
    RETURN SQLERRM;
  END;
  IF pg_temp.sluice_json_too_deep(t) THEN
    RETURN 'nesting deeper than ${MAX_JSON_DEPTH} levels';
  END IF;
  RETURN NULL;
END
$fn$`,
];
