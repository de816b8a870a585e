/**
 * Converting a SQL value from one column type to another, in SQL, following the value
 * formats of `src/nodes/values.ts` exactly. Used by the cast node and by CAST in
 * expressions, so both accept the same texts the CSV validator accepts.
 *
 * A text that is not a valid value of the target type never becomes NULL and never
 * passes: the statement fails with a message naming the subject (a column) and the value.
 * PostgreSQL has no expression that raises a custom error, so the message is made the
 * input of a cast that cannot succeed; {@link raisedErrorMessage} recovers it from the
 * PostgreSQL error. Every check runs before the cast it guards, inside CASE, because the
 * planner may reorder AND-ed conditions (PERFORMANCE.md, trap 3).
 *
 * Results are always the canonical PostgreSQL type of the column type (see `PG_TYPES`), and
 * nothing depends on the session's TimeZone or DateStyle: timestamps without an offset are
 * UTC, and timestamps become text in UTC.
 */
import type { TColumnType } from "../contract";
import { raw, sql, type Sql } from "../sql";
import { PG_TYPES } from "../values";

/** Starts every error message raised from SQL, so it can be told apart from PostgreSQL's own. */
export const RAISED_ERROR_PREFIX = "[sluice] ";

const MAX_SHOWN_CHARS = 60;

/** The PostgreSQL type of a column type, as trusted SQL text. */
export function pgType(type: TColumnType): Sql {
  return sql`${raw(PG_TYPES[type])}`;
}

/**
 * The message of an error raised by {@link raiseError}, taken out of the PostgreSQL error
 * message that carries it, or null when `pgMessage` is some other error.
 *
 * @example raisedErrorMessage('invalid input syntax for type bigint: "[sluice] aqi: \\"x\\" is not an integer"')
 *   // → 'aqi: "x" is not an integer'
 */
export function raisedErrorMessage(pgMessage: string): string | null {
  const start = pgMessage.indexOf(`"${RAISED_ERROR_PREFIX}`);
  if (start < 0 || !pgMessage.endsWith('"')) return null;
  return pgMessage.slice(start + 1 + RAISED_ERROR_PREFIX.length, -1);
}

/**
 * An expression of type `type` that fails the statement with `message` (SQL text) when
 * evaluated. It must depend on row data: PostgreSQL folds constant expressions while
 * planning, and would then fail even when no row reaches it.
 */
export function raiseError(message: Sql, type: TColumnType): Sql {
  return sql`CAST(CAST(CAST(${param(RAISED_ERROR_PREFIX)} || ${message} AS bigint) AS text) AS ${pgType(type)})`;
}

function param(text: string): Sql {
  return sql`CAST(${text} AS text)`;
}

/** `subject: "value" problem`, the value shortened like values.ts's `showValue`. */
function badValue(subject: string, text: Sql, problem: string, type: TColumnType): Sql {
  const shown = sql`left(${text}, ${raw(String(MAX_SHOWN_CHARS))}) || CASE WHEN length(${text}) > ${raw(String(MAX_SHOWN_CHARS))} THEN '…' ELSE '' END`;
  return raiseError(sql`${param(`${subject}: "`)} || ${shown} || ${param(`" ${problem}`)}`, type);
}

/**
 * Whether values of `from` can be converted to `to`. Conversions between unrelated types
 * (a date to a number, a boolean to a date) are refused rather than guessed.
 */
export function canConvert(from: TColumnType, to: TColumnType): boolean {
  if (from === to || to === "string" || from === "string" || from === "json" || to === "json") return true;
  const numeric = (t: TColumnType) => t === "integer" || t === "number";
  if (numeric(from) && (numeric(to) || to === "boolean")) return true;
  if (from === "boolean" && numeric(to)) return true;
  return (from === "date" && to === "timestamp") || (from === "timestamp" && to === "date");
}

/**
 * Converts `value` (of type `from`) to `to`. `subject` names what is converted in error
 * messages, e.g. the column name. Callers check {@link canConvert} first.
 */
export function convert(value: Sql, from: TColumnType, to: TColumnType, subject: string): Sql {
  if (from === to) return value;
  if (to === "string") return toText(value, from);
  if (from === "string") return fromText(value, to, subject);
  if (from === "json") return fromText(sql`(${value} #>> '{}')`, to, subject);
  if (to === "json") {
    return from === "date" || from === "timestamp"
      ? sql`to_jsonb(${toText(value, from)})`
      : sql`to_jsonb(${value})`;
  }
  if (from === "integer" && to === "number") return sql`CAST(${value} AS double precision)`;
  if (from === "boolean" && to === "integer") return sql`CAST(CASE WHEN ${value} THEN 1 WHEN NOT ${value} THEN 0 END AS bigint)`;
  if (from === "boolean" && to === "number") {
    return sql`CAST(CASE WHEN ${value} THEN 1 WHEN NOT ${value} THEN 0 END AS double precision)`;
  }
  if (from === "date" && to === "timestamp") return sql`(CAST(${value} AS timestamp) AT TIME ZONE 'UTC')`;
  if (from === "timestamp" && to === "date") return sql`CAST(${value} AT TIME ZONE 'UTC' AS date)`;
  if (canConvert(from, to)) return fromText(toText(value, from), to, subject);
  throw new Error(`Cannot convert ${from} to ${to}`);
}

/**
 * The text form of a value, in the format values.ts accepts back: dates `YYYY-MM-DD`,
 * timestamps ISO 8601 in UTC (`2024-01-31T12:00:00Z`, with a fraction only when there is
 * one), numbers in PostgreSQL's shortest exact form, booleans `true`/`false`, JSON as JSON
 * (a JSON string becomes its text, without quotes).
 */
export function toText(value: Sql, from: TColumnType): Sql {
  switch (from) {
    case "string":
      return value;
    case "date":
      return sql`to_char(${value}, 'YYYY-MM-DD')`;
    case "timestamp":
      return sql`(regexp_replace(to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '[.]?0+$', '') || CASE WHEN ${value} IS NULL THEN NULL ELSE 'Z' END)`;
    case "json":
      return sql`(${value} #>> '{}')`;
    default:
      return sql`CAST(${value} AS text)`;
  }
}

const INTEGER_RE = "^[+-]?[0-9]+$";
const NUMBER_RE = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$";
const DATE_RE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
const TIMESTAMP_RE =
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$";
// Halfway points where a decimal rounds to ±Infinity or to 0 as a double: PostgreSQL's
// float8in (and values.ts) refuse texts beyond them.
const DOUBLE_OVERFLOW = "1.797693134862315807937289714053e308";
const DOUBLE_UNDERFLOW = "2.4703282292062327208828439643411e-324";

/** Parses a text (NULL and '' are NULL) as `to`, failing the statement on invalid text. */
export function fromText(text: Sql, to: TColumnType, subject: string): Sql {
  const bad = (problem: string) => badValue(subject, text, problem, to);
  const empty = sql`WHEN ${text} IS NULL OR ${text} = '' THEN NULL`;
  switch (to) {
    case "string":
      return text;
    case "integer":
      return sql`CASE ${empty}
        WHEN ${text} !~ ${raw(`'${INTEGER_RE}'`)} THEN ${bad("is not an integer")}
        WHEN length(${text}) <= 18 THEN CAST(${text} AS bigint)
        WHEN length(ltrim(ltrim(${text}, '+-'), '0')) > 19 THEN ${bad("is out of range for an integer")}
        WHEN CAST(${text} AS numeric) BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST(${text} AS bigint)
        ELSE ${bad("is out of range for an integer")} END`;
    case "number":
      return sql`CASE ${empty}
        WHEN ${text} !~ ${raw(`'${NUMBER_RE}'`)} THEN ${bad("is not a number")}
        WHEN length(${text}) <= 300 AND strpos(${text}, 'e') = 0 AND strpos(${text}, 'E') = 0 THEN CAST(${text} AS double precision)
        ELSE ${numberSlowPath(text, bad("is out of range for a number"))} END`;
    case "boolean":
      return sql`CASE ${empty}
        WHEN lower(${text}) IN ('true', 't', 'yes', 'y', '1') THEN TRUE
        WHEN lower(${text}) IN ('false', 'f', 'no', 'n', '0') THEN FALSE
        ELSE ${bad("is not a boolean (use true/false, yes/no, t/f, y/n or 1/0)")} END`;
    case "date":
      return sql`CASE ${empty}
        WHEN ${text} !~ ${raw(`'${DATE_RE}'`)} THEN ${bad("is not a date (use YYYY-MM-DD)")}
        WHEN NOT ${isRealDate(text)} THEN ${bad("is not a real calendar date (years 0001–9999)")}
        ELSE CAST(${text} AS date) END`;
    case "timestamp": {
      const two = (from: number) => sql`(substr(${text}, ${raw(String(from))}, 2) COLLATE "C")`;
      // Offsets follow the time (from character 17), the only place a sign can appear there.
      const tail = sql`substr(${text}, 17)`;
      const sign = sql`greatest(strpos(${tail}, '+'), strpos(${tail}, '-'))`;
      const offset = sql`substr(${tail}, ${sign})`;
      return sql`CASE ${empty}
        WHEN ${text} !~ ${raw(`'${TIMESTAMP_RE}'`)} THEN ${bad("is not a timestamp (use YYYY-MM-DD HH:MM[:SS[.ffffff]] with an optional Z or ±HH:MM offset)")}
        WHEN NOT ${isRealDate(text)} THEN ${bad("is not a real calendar date (years 0001–9999)")}
        WHEN ${two(12)} > '23' OR ${two(15)} > '59' OR (substr(${text}, 17, 1) = ':' AND ${two(18)} > '59')
          THEN ${bad("is not a real time of day (00:00:00 to 23:59:59)")}
        WHEN ${sign} > 0 AND ((substr(${offset}, 2, 2) COLLATE "C") > '15' OR (length(${offset}) > 3 AND (right(${offset}, 2) COLLATE "C") > '59'))
          THEN ${bad("has an impossible UTC offset (hours 00–15, minutes 00–59)")}
        WHEN ${sign} > 0 OR right(${text}, 1) = 'Z' THEN CAST(${text} AS timestamptz)
        ELSE CAST(${text} AS timestamp) AT TIME ZONE 'UTC' END`;
    }
    case "json":
      // PostgreSQL 15 cannot test a text for JSON without raising; its own error names the bad token.
      return sql`CASE ${empty} ELSE CAST(${text} AS jsonb) END`;
  }
}

/**
 * `YYYY-MM-DD…` at the start of `text` (digits already checked) is a real calendar date with
 * a year from 0001. Days up to 28 exist in every month, so most values skip the arithmetic.
 */
function isRealDate(text: Sql): Sql {
  const two = (from: number) => sql`(substr(${text}, ${raw(String(from))}, 2) COLLATE "C")`;
  const year = sql`CAST(substr(${text}, 1, 4) AS integer)`;
  const month = sql`CAST(substr(${text}, 6, 2) AS integer)`;
  const day = sql`CAST(substr(${text}, 9, 2) AS integer)`;
  const leap = sql`((${year} % 4 = 0 AND ${year} % 100 <> 0) OR ${year} % 400 = 0)`;
  const daysInMonth = sql`CASE WHEN ${month} = 2 THEN CASE WHEN ${leap} THEN 29 ELSE 28 END WHEN ${month} IN (4, 6, 9, 11) THEN 30 ELSE 31 END`;
  return sql`(left(${text}, 4) <> '0000' AND ${two(6)} BETWEEN '01' AND '12' AND ${two(9)} <> '00'
    AND (${two(9)} <= '28' OR ${day} <= ${daysInMonth}))`;
}

/**
 * A number text with an exponent or more than 300 characters: decides range from the
 * decimal magnitude before anything is parsed (a 400-digit text or `1e99999999999` would
 * make `numeric` itself overflow), then parses the first 40 significant digits. Written
 * inline rather than as a subquery: a correlated subquery slows every row, even unused.
 */
function numberSlowPath(text: Sql, outOfRange: Sql): Sql {
  const mantissa = sql`split_part(lower(ltrim(${text}, '+-')), 'e', 1)`;
  const digits = sql`replace(${mantissa}, '.', '')`;
  const significant = sql`ltrim(${digits}, '0')`;
  const exponent = sql`split_part(lower(${text}), 'e', 2)`;
  // The value is 0.<significant digits> × 10^magnitude.
  const magnitude = sql`(length(split_part(${mantissa}, '.', 1)) - (length(${digits}) - length(${significant}))
    + CASE WHEN ${exponent} = '' THEN 0 ELSE CAST(${exponent} AS integer) END)`;
  const value = sql`CAST('0.' || left(${significant}, 40) || 'e' || ${magnitude} AS numeric)`;
  const sign = sql`CASE WHEN left(${text}, 1) = '-' THEN -1 ELSE 1 END`;
  return sql`CASE
      WHEN ${significant} = '' THEN CAST(${sign} AS double precision) * 0
      WHEN length(ltrim(ltrim(${exponent}, '+-'), '0')) > 9 THEN ${outOfRange}
      WHEN ${magnitude} > 310 OR ${magnitude} < -330 THEN ${outOfRange}
      WHEN ${value} >= ${raw(DOUBLE_OVERFLOW)} OR ${value} <= ${raw(DOUBLE_UNDERFLOW)} THEN ${outOfRange}
      ELSE ${sign} * CAST(${value} AS double precision) END`;
}
