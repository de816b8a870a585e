/**
 * The value formats Sluice accepts for each column type: the one contract shared by the
 * streaming CSV validator (Node) and validation compiled to SQL. Both must accept exactly
 * the same texts, and every accepted text must load into the column's PostgreSQL type
 * without error, so a value can never pass a check and then abort a statement.
 *
 * Values arrive as text or null. The empty text is NULL for every type. Nothing is
 * trimmed: surrounding whitespace makes a non-string value invalid.
 *
 * | type      | PostgreSQL         | accepted text                                                        |
 * |-----------|--------------------|----------------------------------------------------------------------|
 * | string    | `text`             | anything without a NUL character                                      |
 * | integer   | `bigint`           | `^[+-]?[0-9]+$` within −9223372036854775808..9223372036854775807        |
 * | number    | `double precision` | `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`, in range (below) |
 * | boolean   | `boolean`          | true/false/t/f/yes/no/y/n/1/0, any letter case                         |
 * | date      | `date`             | `YYYY-MM-DD`, a real calendar date, year 0001–9999                     |
 * | timestamp | `timestamptz`      | date + `T` or one space + `HH:MM[:SS[.f{1,6}]]` + optional `Z`, `±HH:MM`, `±HHMM`, `±HH` |
 * | json      | `jsonb`            | RFC 8259 JSON that jsonb can store (below)                            |
 *
 * Details that decide edge cases:
 * - number: a text that rounds to ±Infinity (`1e400`) is out of range, and so is a text with
 *   a non-zero digit that rounds to 0 (`1e-400`): PostgreSQL's `float8in` refuses both.
 *   Subnormal results (`1e-310`) are accepted, as PostgreSQL does.
 * - timestamp: a fraction needs seconds (`12:30.5` is refused: PostgreSQL would read it as
 *   minutes and seconds). `T` and `Z` are upper case. Without an offset the value is UTC.
 *   Hours 00–23, minutes and seconds 00–59 (no leap second); offset hours 00–15, minutes 00–59.
 * - json: jsonb cannot hold `\u0000` or unpaired surrogate escapes (`\ud800`), numbers past
 *   `numeric`'s limits (a digit at 10^131072 or beyond, more than 16383 digits after the
 *   point, exponents of ±1073741823 or more), or nesting deeper than {@link MAX_JSON_DEPTH}
 *   (PostgreSQL runs out of stack far below what JavaScript allows).
 * - Words PostgreSQL's own parsers take (`infinity`, `NaN`, `epoch`, `now`, `yesterday`,
 *   `on`/`off`, hex and `_` digit separators) are invalid for every non-string type.
 *
 * Pure and browser-safe: no Buffer, no node: imports.
 */
import type { TColumnType } from "./contract";

export type TParsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The JavaScript value {@link parseValue} returns for each column type. */
export interface TTypedValues {
  string: string;
  /** bigint: int8 does not fit a JavaScript number. */
  integer: bigint;
  number: number;
  boolean: boolean;
  /** The text itself, `YYYY-MM-DD`. */
  date: string;
  /** The instant in UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six fraction digits). */
  timestamp: string;
  /** The parsed JSON value. */
  json: unknown;
}

export const INT8_MIN = -9223372036854775808n;
export const INT8_MAX = 9223372036854775807n;
/** Deeper JSON nesting is refused: PostgreSQL's jsonb parser hits its stack limit. */
export const MAX_JSON_DEPTH = 1000;

/** PostgreSQL type of each column type, as used in DDL. */
export const PG_TYPES: Record<TColumnType, string> = {
  string: "text",
  integer: "bigint",
  number: "double precision",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamptz",
  json: "jsonb",
};

/** A column type as a noun for messages: `"abc" is not a number`. */
export const TYPE_NOUNS: Record<TColumnType, string> = {
  string: "a text",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  date: "a date",
  timestamp: "a timestamp",
  json: "JSON",
};

const MAX_SHOWN_CHARS = 60;

/** A value quoted for a message, shortened when long. */
export function showValue(text: string): string {
  const shown = text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
  return JSON.stringify(shown);
}

/** `field: message`, the form every violation message takes. */
export function violationMessage(field: string, message: string): string {
  return `${field}: ${message}`;
}

function notA(type: TColumnType, text: string, hint?: string): { ok: false; message: string } {
  let message = `${showValue(text)} is not ${TYPE_NOUNS[type]}`;
  if (text.trim() !== text) message += " (it has surrounding spaces)";
  else if (hint) message += ` (${hint})`;
  return { ok: false, message };
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

const INTEGER_RE = /^[+-]?[0-9]+$/;
const NUMBER_RE = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const NONZERO_MANTISSA_RE = /^[^eE]*[1-9]/;
const DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const TIMESTAMP_RE =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;

const BOOLEAN_WORDS = new Map<string, boolean>([
  ["true", true],
  ["t", true],
  ["yes", true],
  ["y", true],
  ["1", true],
  ["false", false],
  ["f", false],
  ["no", false],
  ["n", false],
  ["0", false],
]);

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Whether year (0001–9999), month and day form a real calendar date. */
export function isRealDate(year: number, month: number, day: number): boolean {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * Days from 2000-01-01 (PostgreSQL's date epoch) to a proleptic Gregorian date, exact for
 * any year this module accepts (Howard Hinnant's days_from_civil).
 */
export function daysSince2000(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 - 10957;
}

/** The parts of an accepted timestamp text. `offsetMinutes` is east of UTC (0 without an offset). */
export interface TTimestampParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction of the second in microseconds, 0–999999. */
  micros: number;
  offsetMinutes: number;
}

/** Validates a timestamp text and returns its parts. */
export function parseTimestampParts(text: string): TParsed<TTimestampParts> {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return notA("timestamp", text, "use YYYY-MM-DD HH:MM[:SS[.ffffff]] with an optional Z or ±HH:MM offset");
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (!isRealDate(year, month, day)) return fail(dateProblem(text, year, month));
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59)
    return fail(`${showValue(text)} is not a real time of day (00:00:00 to 23:59:59)`);
  const micros = m[7] === undefined ? 0 : Number(m[7].padEnd(6, "0"));
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (offsetHours > 15 || offsetMins > 59)
      return fail(`${showValue(text)} has an impossible UTC offset (hours 00–15, minutes 00–59)`);
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return { ok: true, value: { year, month, day, hour, minute, second, micros, offsetMinutes } };
}

/**
 * Whole seconds from 2000-01-01 00:00 UTC (PostgreSQL's timestamp epoch) to the instant;
 * add `parts.micros` for the exact value. Kept in seconds because microseconds past year
 * 2285 exceed 2^53.
 */
export function secondsSince2000(parts: TTimestampParts): number {
  const days = daysSince2000(parts.year, parts.month, parts.day);
  return days * 86400 + parts.hour * 3600 + parts.minute * 60 + parts.second - parts.offsetMinutes * 60;
}

function dateProblem(text: string, year: number, month: number): string {
  if (year < 1) return `${showValue(text)} has a year outside 0001–9999`;
  if (month < 1 || month > 12) return `${showValue(text)} has no month ${month}`;
  return `${showValue(text)} is not a real calendar date`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function isoOf(parts: TTimestampParts): string {
  const seconds = secondsSince2000(parts);
  const days = Math.floor(seconds / 86400);
  let rest = seconds - days * 86400;
  const hour = Math.floor(rest / 3600);
  rest -= hour * 3600;
  const minute = Math.floor(rest / 60);
  const second = rest - minute * 60;
  // civil_from_days, the inverse of daysSince2000.
  const z = days + 10957 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(parts.micros, 6)}Z`;
}

/**
 * Why `text` is not JSON that jsonb can store, or null when it is. A hand-written scanner
 * rather than JSON.parse: jsonb refuses texts JSON.parse accepts (see the module comment).
 */
export function jsonProblem(text: string): string | null {
  let i = 0;
  const n = text.length;
  // Per open container: true for an object.
  const stack: boolean[] = [];
  const skipWs = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const scanString = (): string | null => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c < 0x20) return "a control character inside a string must be escaped";
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          const code = hex4(text, i + 2);
          if (code < 0) return "a \\u escape needs four hex digits";
          if (code === 0) return "\\u0000 cannot be stored";
          i += 6;
          if (code >= 0xd800 && code <= 0xdbff) {
            const low = text.charCodeAt(i) === 0x5c && text.charCodeAt(i + 1) === 0x75 ? hex4(text, i + 2) : -1;
            if (low < 0xdc00 || low > 0xdfff) return "a \\u surrogate escape is not paired";
            i += 6;
          } else if (code >= 0xdc00 && code <= 0xdfff) return "a \\u surrogate escape is not paired";
        } else if (
          e === 0x22 ||
          e === 0x5c ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        ) {
          i += 2;
        } else return "an invalid escape in a string";
      } else i++;
    }
    return "a string is not closed";
  };
  const scanNumber = (): string | null => {
    const m = JSON_NUMBER_RE.exec(text.slice(i, i + 400_000));
    if (!m) return "an invalid number";
    i += m[0].length;
    return numericProblem(m[2] ?? "", m[3] ?? "", m[4] ?? "");
  };
  const scanValue = (): string | null => {
    skipWs();
    const c = text.charCodeAt(i);
    if (c === 0x22) return scanString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return scanNumber();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return null;
      }
    }
    return i >= n ? "the text ends too early" : `unexpected ${JSON.stringify(text[i])}`;
  };
  for (;;) {
    skipWs();
    // A value position: scalar, or open a container.
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      const isObject = c === 0x7b;
      if (stack.length >= MAX_JSON_DEPTH) return `nesting deeper than ${MAX_JSON_DEPTH} levels`;
      stack.push(isObject);
      i++;
      skipWs();
      const close = text.charCodeAt(i);
      if (close === (isObject ? 0x7d : 0x5d)) {
        i++;
        stack.pop();
      } else if (isObject) {
        if (close !== 0x22) return "an object key must be a string";
        const problem = scanString();
        if (problem) return problem;
        skipWs();
        if (text.charCodeAt(i) !== 0x3a) return "a ':' is missing after an object key";
        i++;
        continue;
      } else continue;
    } else {
      const problem = scanValue();
      if (problem) return problem;
    }
    // After a complete value: close containers or move to the next element.
    for (;;) {
      skipWs();
      if (stack.length === 0) return i === n ? null : `unexpected ${JSON.stringify(text[i])} after the value`;
      const isObject = stack[stack.length - 1];
      const c2 = text.charCodeAt(i);
      if (c2 === 0x2c) {
        i++;
        if (isObject) {
          skipWs();
          if (text.charCodeAt(i) !== 0x22) return "an object key must be a string";
          const problem = scanString();
          if (problem) return problem;
          skipWs();
          if (text.charCodeAt(i) !== 0x3a) return "a ':' is missing after an object key";
          i++;
        }
        break;
      }
      if (c2 === (isObject ? 0x7d : 0x5d)) {
        i++;
        stack.pop();
        continue;
      }
      return i >= n ? "the text ends too early" : `unexpected ${JSON.stringify(text[i])}`;
    }
  }
}

const JSON_NUMBER_RE = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?/;

// PostgreSQL's numeric limits (numeric.c): |exponent| < INT_MAX/2, display scale <= 16383,
// weight < 32768 base-10000 digits, i.e. the leading digit below 10^131072.
const NUMERIC_MAX_EXPONENT = 1073741823;
const NUMERIC_MAX_DSCALE = 16383;
const NUMERIC_MAX_DECIMAL_WEIGHT = 131071;

function numericProblem(intPart: string, fracPart: string, expPart: string): string | null {
  const exponent = expPart === "" ? 0 : Number(expPart);
  if (Math.abs(exponent) >= NUMERIC_MAX_EXPONENT) return "a number out of range";
  if (fracPart.length - exponent > NUMERIC_MAX_DSCALE) return "a number with too many digits after the point";
  const firstNonZero = /[1-9]/.exec(intPart + fracPart);
  if (firstNonZero && intPart.length - 1 - firstNonZero.index + exponent > NUMERIC_MAX_DECIMAL_WEIGHT)
    return "a number out of range";
  return null;
}

function hex4(text: string, at: number): number {
  if (at + 4 > text.length) return -1;
  let value = 0;
  for (let k = at; k < at + 4; k++) {
    const c = text.charCodeAt(k);
    const digit =
      c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

export function parseInteger(text: string): TParsed<bigint> {
  if (!INTEGER_RE.test(text)) {
    return notA("integer", text, NUMBER_RE.test(text) ? "it has a fraction or exponent" : undefined);
  }
  const value = BigInt(text);
  if (value < INT8_MIN || value > INT8_MAX)
    return fail(`${showValue(text)} is out of range for an integer (${INT8_MIN} to ${INT8_MAX})`);
  return { ok: true, value };
}

export function parseNumber(text: string): TParsed<number> {
  if (!NUMBER_RE.test(text)) return notA("number", text);
  const value = Number(text);
  if (!Number.isFinite(value) || (value === 0 && NONZERO_MANTISSA_RE.test(text)))
    return fail(`${showValue(text)} is out of range for a number (a double has about 1e-308 to 1e308)`);
  return { ok: true, value };
}

export function parseBoolean(text: string): TParsed<boolean> {
  const value = text.length <= 5 ? BOOLEAN_WORDS.get(text.toLowerCase()) : undefined;
  if (value === undefined) return notA("boolean", text, "use true/false, yes/no, t/f, y/n or 1/0");
  return { ok: true, value };
}

export function parseDate(text: string): TParsed<string> {
  const m = DATE_RE.exec(text);
  if (!m) return notA("date", text, "use YYYY-MM-DD");
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (!isRealDate(year, month, Number(m[3]))) return fail(dateProblem(text, year, month));
  return { ok: true, value: text };
}

export function parseTimestamp(text: string): TParsed<string> {
  const parts = parseTimestampParts(text);
  return parts.ok ? { ok: true, value: isoOf(parts.value) } : parts;
}

export function parseString(text: string): TParsed<string> {
  if (text.includes("\u0000")) return fail("the text contains a NUL character, which PostgreSQL cannot store");
  return { ok: true, value: text };
}

export function parseJson(text: string): TParsed<unknown> {
  const problem = jsonProblem(text);
  if (problem) return fail(`${showValue(text)} is not valid JSON: ${problem}`);
  return { ok: true, value: JSON.parse(text) };
}

type Parsers = { [T in TColumnType]: (text: string) => TParsed<TTypedValues[T]> };

const PARSERS: Parsers = {
  string: parseString,
  integer: parseInteger,
  number: parseNumber,
  boolean: parseBoolean,
  date: parseDate,
  timestamp: parseTimestamp,
  json: parseJson,
};

/**
 * Parses a text as a column type. Null and the empty text are NULL (`value: null`).
 * A failure's message names the value but not the field: prefix it with
 * {@link violationMessage}.
 */
export function parseValue<T extends TColumnType>(type: T, text: string | null): TParsed<TTypedValues[T] | null> {
  if (text === null || text === "") return { ok: true, value: null };
  return PARSERS[type](text);
}

/** Why `text` is not a valid `type`, or null when it is (NULL and "" are valid). */
export function valueProblem(type: TColumnType, text: string | null): string | null {
  const result = parseValue(type, text);
  return result.ok ? null : result.message;
}

const INFERENCE_ORDER: readonly TColumnType[] = ["boolean", "integer", "number", "date", "timestamp"];
const ZERO_ONE_RE = /^[01]$/;

/**
 * Most digits an inferred integer or number may have. Beyond 15 a double no longer keeps
 * every decimal digit, and such long digit strings are identifiers (cards, accounts,
 * references) far more often than quantities.
 */
export const MAX_INFERRED_DIGITS = 15;

/** Decimal notation with nothing a number would drop: no sign but `-`, no leading zero, no exponent. */
const EXACT_INTEGER_RE = /^-?(0|[1-9][0-9]*)$/;
const EXACT_NUMBER_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** Significant digits of an accepted decimal text: leading zeros and the point do not count. */
function significantDigits(text: string): number {
  let digits = 0;
  let leading = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) continue;
    if (leading && c === 0x30) continue;
    leading = false;
    digits++;
  }
  return digits;
}

/**
 * Why `text` would not keep its value as a column of an inferred `type`, or null when it
 * would. The one rule for inference, applied to the sample ({@link inferColumnType}) and
 * to every later value of a column whose type was inferred, so a value the sample did not
 * show is quarantined rather than changed:
 * - integer: `String(Number(text)) === text` (no `+`, no leading zero, not `-0`) and at
 *   most {@link MAX_INFERRED_DIGITS} digits — `00501`, `007`, `+4712345678` stay text;
 * - number: plain decimal notation whose digits a double keeps: no `+`, no leading zero
 *   before the point, no exponent (`2E10` is a part number as often as a quantity), at
 *   most {@link MAX_INFERRED_DIGITS} significant digits. Trailing zeros after the point
 *   are allowed (`12.30` is the number 12.3: measurements are written that way);
 * - other types: what {@link valueProblem} accepts (their texts have one meaning).
 * Thousands separators and locale decimal commas are not numbers anyway.
 */
export function inferredValueProblem(type: TColumnType, text: string | null): string | null {
  const problem = valueProblem(type, text);
  if (problem !== null || text === null || text === "" || (type !== "integer" && type !== "number")) return problem;
  const exact = type === "integer" ? EXACT_INTEGER_RE.test(text) && text !== "-0" : EXACT_NUMBER_RE.test(text);
  let why: string | null = null;
  if (text.startsWith("+")) why = "it has a leading +";
  else if (/^-?0[0-9]/.test(text)) why = "it has a leading zero";
  else if (!exact) why = type === "integer" ? `it would become ${String(Number(text))}` : "it is written with an exponent or without a digit before the point";
  else if (significantDigits(text) > MAX_INFERRED_DIGITS) why = `it has more than ${MAX_INFERRED_DIGITS} digits`;
  if (why === null) return null;
  return (
    `${showValue(text)} would not keep its exact text as ${TYPE_NOUNS[type]} (${why}). The column's type was inferred ` +
    `from a sample of the file; set it to string to keep every value as written, or to ${type} to accept the change`
  );
}

/**
 * The narrowest type whose {@link inferredValueProblem} accepts every non-null sample,
 * trying boolean, integer, number, date, timestamp, then string. Boolean is chosen only
 * when some sample is a word (true, no, Y...): a column of only 0 and 1 is inferred as
 * integer, since counts and codes are as common as flags and integer is the safer guess.
 * A column with no values and any mixture (e.g. dates and timestamps) is string; JSON is
 * never inferred.
 */
export function inferColumnType(samples: readonly (string | null)[]): TColumnType {
  const values = samples.filter((s): s is string => s !== null && s !== "");
  if (values.length === 0) return "string";
  for (const type of INFERENCE_ORDER) {
    if (type === "boolean" && values.every((v) => ZERO_ONE_RE.test(v))) continue;
    if (values.every((v) => inferredValueProblem(type, v) === null)) return type;
  }
  return "string";
}
