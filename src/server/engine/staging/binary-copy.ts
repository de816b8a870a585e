/**
 * PostgreSQL's binary COPY format, written straight from a file's bytes: each encoder checks a
 * field against the value formats of `@/nodes/values` and appends it in the column type's
 * binary form, without creating a string or object for common values.
 *
 * The byte encoders are fast paths: they accept a subset of what `parseValue` accepts and
 * return false for anything else (a bad value, or an unusual good one such as a 17-digit
 * integer). The caller then decodes the text and calls {@link encodeText}, which uses
 * `parseValue` itself, so `@/nodes/values` alone decides what is valid and what the
 * message says. Columns whose type was inferred take the exact variants (see
 * `inferredValueProblem`): a value that would lose its text is refused, not converted.
 */
import type { TColumnType } from "@/nodes/contract";
import {
  daysSince2000,
  inferredValueProblem,
  isRealDate,
  parseBoolean,
  parseDate,
  parseInteger,
  parseJson,
  parseNumber,
  parseString,
  parseTimestampParts,
  secondsSince2000,
  type TParsed,
} from "@/nodes/values";

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
const TWO_POW_32 = 4294967296;

/** A growable output buffer for one COPY stream. */
export class CopyBuffer {
  buf: Buffer;
  pos = 0;

  constructor(private readonly initialSize = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /**
   * Hands the written bytes over and starts a fresh buffer: a stream may keep the handed
   * buffer queued, so it is never written again.
   */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(this.initialSize, this.pos));
    this.pos = 0;
    return out;
  }

  int16(value: number): void {
    this.ensure(2);
    const b = this.buf;
    b[this.pos] = (value >>> 8) & 0xff;
    b[this.pos + 1] = value & 0xff;
    this.pos += 2;
  }

  int32(value: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = (value >>> 24) & 0xff;
    b[p + 1] = (value >>> 16) & 0xff;
    b[p + 2] = (value >>> 8) & 0xff;
    b[p + 3] = value & 0xff;
    this.pos = p + 4;
  }

  /** An int64 given as high (signed) and low (unsigned) 32-bit words. */
  int64Words(high: number, low: number): void {
    this.int32(high | 0);
    this.int32(low >>> 0);
  }

  /** An int64 from a safe integer. */
  int64(value: number): void {
    const high = Math.floor(value / TWO_POW_32);
    this.int64Words(high, value - high * TWO_POW_32);
  }

  bytes(src: Buffer, start: number, end: number): void {
    const length = end - start;
    this.ensure(length);
    if (length < 32) {
      const b = this.buf;
      let o = this.pos;
      for (let p = start; p < end; p++) b[o++] = src[p] as number;
      this.pos = o;
    } else {
      this.pos += src.copy(this.buf, this.pos, start, end);
    }
  }

  /** A string as UTF-8. */
  utf8(text: string): void {
    this.ensure(Buffer.byteLength(text, "utf8"));
    this.pos += this.buf.write(text, this.pos, "utf8");
  }
}

export function writeHeader(out: CopyBuffer): void {
  out.ensure(SIGNATURE.length + 8);
  out.bytes(SIGNATURE, 0, SIGNATURE.length);
  out.int32(0); // flags
  out.int32(0); // header extension length
}

export function writeTrailer(out: CopyBuffer): void {
  out.int16(-1);
}

export function writeNull(out: CopyBuffer): void {
  out.int32(-1);
}

/**
 * Microseconds since 2000-01-01 as int64 from whole seconds and a microsecond fraction,
 * exactly: the product passes 2^53 after year 2285, so it is built from 32-bit words.
 */
export function writeTimestampMicros(out: CopyBuffer, seconds: number, micros: number): void {
  // seconds = sHigh * 2^20 + sLow; total = sHigh * 1e6 * 2^20 + sLow * 1e6 + micros.
  const sHigh = Math.floor(seconds / 1048576);
  const sLow = seconds - sHigh * 1048576;
  const a = sHigh * 1000000;
  const aHigh = Math.floor(a / 4096); // a * 2^20 = aHigh * 2^32 + (a mod 4096) * 2^20
  const rest = (a - aHigh * 4096) * 1048576 + sLow * 1000000 + micros;
  const carry = Math.floor(rest / TWO_POW_32);
  out.int32(8);
  out.int64Words(aHigh + carry, rest - carry * TWO_POW_32);
}

/** Decimal digit at `p`, or -1. */
function digit(src: Buffer, p: number): number {
  const d = (src[p] as number) - 0x30;
  return d >= 0 && d <= 9 ? d : -1;
}

function twoDigits(src: Buffer, p: number): number {
  const a = digit(src, p);
  const b = digit(src, p + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function fourDigits(src: Buffer, p: number): number {
  const a = twoDigits(src, p);
  const b = twoDigits(src, p + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/** A byte encoder: appends the field [start, end) (non-empty) and returns true, or returns false. */
export type FieldEncoder = (src: Buffer, start: number, end: number, out: CopyBuffer) => boolean;

const PLUS = 0x2b;
const MINUS = 0x2d;

const encodeInteger: FieldEncoder = (src, start, end, out) => {
  let p = start;
  const sign = src[p];
  const negative = sign === MINUS;
  if (negative || sign === PLUS) p++;
  // Up to 15 digits stays a safe integer; longer ones take the exact path.
  if (p === end || end - p > 15) return false;
  let value = 0;
  for (; p < end; p++) {
    const d = digit(src, p);
    if (d < 0) return false;
    value = value * 10 + d;
  }
  out.int32(8);
  out.int64(negative ? -value : value);
  return true;
};

const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);
const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeDouble(out: CopyBuffer, value: number): void {
  out.int32(8);
  out.ensure(8);
  float[0] = value;
  const b = out.buf;
  const p = out.pos;
  for (let i = 0; i < 8; i++) b[p + i] = floatBytes[LITTLE_ENDIAN ? 7 - i : i] as number;
  out.pos = p + 8;
}

/**
 * Decimal numbers with at most 15 significant digits and a power of ten within ±22:
 * mantissa and power are both exact doubles, so one multiplication or division is
 * correctly rounded (Clinger's fast path) and equals what `Number(text)` gives.
 */
const encodeNumber: FieldEncoder = (src, start, end, out) => {
  let p = start;
  const sign = src[p];
  const negative = sign === MINUS;
  if (negative || sign === PLUS) p++;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  for (; p < end; p++) {
    const d = digit(src, p);
    if (d < 0) break;
    mantissa = mantissa * 10 + d;
    digits++;
  }
  if (p < end && src[p] === 0x2e) {
    p++;
    for (; p < end; p++) {
      const d = digit(src, p);
      if (d < 0) break;
      mantissa = mantissa * 10 + d;
      digits++;
      fractionDigits++;
    }
  }
  if (digits === 0 || digits > 15) return false;
  let exponent = 0;
  if (p < end && (src[p] === 0x65 || src[p] === 0x45)) {
    p++;
    const expSign = src[p];
    const expNegative = expSign === MINUS;
    if (expNegative || expSign === PLUS) p++;
    if (p === end || end - p > 3) return false;
    for (; p < end; p++) {
      const d = digit(src, p);
      if (d < 0) return false;
      exponent = exponent * 10 + d;
    }
    if (expNegative) exponent = -exponent;
  }
  if (p !== end) return false;
  const power = exponent - fractionDigits;
  let value: number;
  if (mantissa === 0) value = 0;
  else if (power >= 0 && power <= 22) value = mantissa * (EXACT_POWERS_OF_TEN[power] as number);
  else if (power < 0 && power >= -22) value = mantissa / (EXACT_POWERS_OF_TEN[-power] as number);
  else return false;
  writeDouble(out, negative ? -value : value);
  return true;
};

function lower(src: Buffer, p: number): number {
  return (src[p] as number) | 0x20;
}

const encodeBoolean: FieldEncoder = (src, start, end, out) => {
  const length = end - start;
  const first = lower(src, start);
  let value: boolean;
  if (length === 1) {
    if (first === 0x74 || first === 0x79 || src[start] === 0x31) value = true; // t y 1
    else if (first === 0x66 || first === 0x6e || src[start] === 0x30) value = false; // f n 0
    else return false;
  } else if (length === 2 && first === 0x6e && lower(src, start + 1) === 0x6f) value = false; // no
  else if (length === 3 && first === 0x79 && lower(src, start + 1) === 0x65 && lower(src, start + 2) === 0x73)
    value = true; // yes
  else if (
    length === 4 &&
    first === 0x74 &&
    lower(src, start + 1) === 0x72 &&
    lower(src, start + 2) === 0x75 &&
    lower(src, start + 3) === 0x65
  )
    value = true; // true
  else if (
    length === 5 &&
    first === 0x66 &&
    lower(src, start + 1) === 0x61 &&
    lower(src, start + 2) === 0x6c &&
    lower(src, start + 3) === 0x73 &&
    lower(src, start + 4) === 0x65
  )
    value = false; // false
  else return false;
  out.int32(1);
  out.ensure(1);
  out.buf[out.pos++] = value ? 1 : 0;
  return true;
};

/** Days since 2000-01-01 of a `YYYY-MM-DD` at `p`, or NaN. */
function dateAt(src: Buffer, p: number): number {
  if (src[p + 4] !== MINUS || src[p + 7] !== MINUS) return NaN;
  const year = fourDigits(src, p);
  const month = twoDigits(src, p + 5);
  const day = twoDigits(src, p + 8);
  if (year < 0 || month < 0 || day < 0 || !isRealDate(year, month, day)) return NaN;
  return daysSince2000(year, month, day);
}

const encodeDate: FieldEncoder = (src, start, end, out) => {
  if (end - start !== 10) return false;
  const days = dateAt(src, start);
  if (Number.isNaN(days)) return false;
  out.int32(4);
  out.int32(days);
  return true;
};

const encodeTimestamp: FieldEncoder = (src, start, end, out) => {
  if (end - start < 16) return false;
  const days = dateAt(src, start);
  const separator = src[start + 10];
  if (Number.isNaN(days) || (separator !== 0x54 && separator !== 0x20) || src[start + 13] !== 0x3a) return false;
  const hour = twoDigits(src, start + 11);
  const minute = twoDigits(src, start + 14);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  let p = start + 16;
  let second = 0;
  let micros = 0;
  if (p < end && src[p] === 0x3a) {
    if (p + 3 > end) return false;
    second = twoDigits(src, p + 1);
    if (second < 0 || second > 59) return false;
    p += 3;
    if (p < end && src[p] === 0x2e) {
      p++;
      let scale = 100000;
      const first = p;
      for (; p < end && p - first < 6; p++) {
        const d = digit(src, p);
        if (d < 0) break;
        micros += d * scale;
        scale /= 10;
      }
      if (p === first) return false;
    }
  }
  let offsetMinutes = 0;
  if (p < end) {
    const zone = src[p];
    if (zone === 0x5a) p++;
    else if (zone === PLUS || zone === MINUS) {
      if (p + 3 > end) return false;
      const hours = twoDigits(src, p + 1);
      if (hours < 0 || hours > 15) return false;
      p += 3;
      let mins = 0;
      if (p < end) {
        if (src[p] === 0x3a) p++;
        if (p + 2 > end) return false;
        mins = twoDigits(src, p);
        if (mins < 0 || mins > 59) return false;
        p += 2;
      }
      offsetMinutes = (zone === MINUS ? -1 : 1) * (hours * 60 + mins);
    } else return false;
  }
  if (p !== end) return false;
  const seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  writeTimestampMicros(out, seconds, micros);
  return true;
};

/**
 * Strings, valid as they are once the record's encoding was checked. They do not look for
 * NUL (the one invalid string): the caller knows from the record's hash pass whether the
 * record holds one, and sends string fields of such records down the text path.
 */
function stringEncoder(latin1: boolean): FieldEncoder {
  if (!latin1) {
    return (src, start, end, out) => {
      out.int32(end - start);
      out.bytes(src, start, end);
      return true;
    };
  }
  return (src, start, end, out) => {
    // ISO-8859-1 code points are the bytes; those above 0x7f take two bytes in UTF-8.
    let length = end - start;
    for (let p = start; p < end; p++) {
      if ((src[p] as number) >= 0x80) length++;
    }
    out.int32(length);
    out.ensure(length);
    const b = out.buf;
    let o = out.pos;
    for (let p = start; p < end; p++) {
      const c = src[p] as number;
      if (c < 0x80) b[o++] = c;
      else {
        b[o++] = 0xc0 | (c >>> 6);
        b[o++] = 0x80 | (c & 0x3f);
      }
    }
    out.pos = o;
    return true;
  };
}

/** JSON always takes the text path: it is checked by the same scanner `parseValue` uses. */
const encodeNever: FieldEncoder = () => false;

/**
 * Whether [start, end) is `-?(0|[1-9][0-9]*)`, with `(\.[0-9]+)?` when `point`, and for an
 * integer not `-0`: the texts `inferredValueProblem` accepts, up to the digit limit, which
 * the encoders' own length limits leave to the text path.
 */
function plainDecimal(src: Buffer, start: number, end: number, point: boolean): boolean {
  let p = start;
  if (src[p] === MINUS) p++;
  const first = p;
  while (p < end && digit(src, p) >= 0) p++;
  const intDigits = p - first;
  if (intDigits === 0 || (intDigits > 1 && src[first] === 0x30)) return false;
  if (p === end) return point || !(first > start && src[first] === 0x30);
  if (!point || src[p] !== 0x2e) return false;
  p++;
  const fraction = p;
  while (p < end && digit(src, p) >= 0) p++;
  return p === end && p > fraction;
}

const encodeExactInteger: FieldEncoder = (src, start, end, out) => plainDecimal(src, start, end, false) && encodeInteger(src, start, end, out);
const encodeExactNumber: FieldEncoder = (src, start, end, out) => plainDecimal(src, start, end, true) && encodeNumber(src, start, end, out);

/**
 * The byte encoder of each column type; `exact` for columns whose type was inferred (their
 * text path must then be {@link encodeText} with `exact` too).
 */
export function fieldEncoders(latin1: boolean, exact = false): Record<TColumnType, FieldEncoder> {
  return {
    string: stringEncoder(latin1),
    integer: exact ? encodeExactInteger : encodeInteger,
    number: exact ? encodeExactNumber : encodeNumber,
    boolean: encodeBoolean,
    date: encodeDate,
    timestamp: encodeTimestamp,
    json: encodeNever,
  };
}

/**
 * Checks `text` (non-empty) with the parsers of `@/nodes/values` and, when valid, appends
 * it in binary. Returns the failure message, or null when the value was written. `exact`:
 * the column's type was inferred, and `inferredValueProblem` decides what fits.
 */
export function encodeText(type: TColumnType, text: string, out: CopyBuffer, exact = false): string | null {
  if (exact) {
    const problem = inferredValueProblem(type, text);
    if (problem !== null) return problem;
  }
  switch (type) {
    case "timestamp": {
      const parts = parseTimestampParts(text);
      if (!parts.ok) return parts.message;
      writeTimestampMicros(out, secondsSince2000(parts.value), parts.value.micros);
      return null;
    }
    case "integer":
      return written(parseInteger(text), (value) => {
        out.int32(8);
        out.ensure(8);
        out.pos = out.buf.writeBigInt64BE(value, out.pos);
      });
    case "number":
      return written(parseNumber(text), (value) => writeDouble(out, value));
    case "boolean":
      return written(parseBoolean(text), (value) => {
        out.int32(1);
        out.ensure(1);
        out.buf[out.pos++] = value ? 1 : 0;
      });
    case "date": {
      const result = parseDate(text);
      if (!result.ok) return result.message;
      out.int32(4);
      out.int32(dateAt(Buffer.from(text, "latin1"), 0));
      return null;
    }
    case "string":
      return written(parseString(text), (value) => {
        out.int32(Buffer.byteLength(value, "utf8"));
        out.utf8(value);
      });
    case "json":
      return written(parseJson(text), () => {
        // jsonb's binary input is a version byte followed by the JSON text.
        out.int32(1 + Buffer.byteLength(text, "utf8"));
        out.ensure(1);
        out.buf[out.pos++] = 1;
        out.utf8(text);
      });
  }
}

function written<T>(result: TParsed<T>, write: (value: T) => void): string | null {
  if (!result.ok) return result.message;
  write(result.value);
  return null;
}
