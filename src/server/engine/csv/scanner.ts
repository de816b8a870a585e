/**
 * Splits CSV bytes into records and fields without creating an object per record or
 * field: field bounds go into reusable typed arrays, and only fields whose text differs
 * from their bytes (doubled quotes, text after a closing quote) are copied, into a reusable
 * scratch buffer.
 *
 * Rules, matching RFC 4180 and PostgreSQL's CSV reader where RFC 4180 is silent:
 * - A record ends at the line break (LF, or CR in files whose lines end in CR alone) or at
 *   the end of the file; a CR right before an LF or the end is part of the line break.
 * - A field starting with the quote character is quoted: it runs to the next quote not
 *   doubled, may hold delimiters and line breaks, and `""` in it is one quote. Text after
 *   the closing quote, up to the delimiter, is kept as is (`"ab"c` is `abc`).
 * - A quote inside an unquoted field is an ordinary character (`5'10"`).
 * - A quoted field still open at the end of the file makes the record run to the end of
 *   the file; {@link CsvScanner.unclosedQuote} tells.
 */

const LF = 0x0a;
const CR = 0x0d;

export class CsvScanner {
  /** Per field: where its text starts and ends, in the input or in {@link scratch}. */
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** Per field: 1 when its text lives in {@link scratch}. */
  inScratch = new Uint8Array(64);
  fieldCount = 0;
  /** The record's bytes without its line break: [recordStart, recordEnd). */
  recordStart = 0;
  recordEnd = 0;
  /** Where the next record starts. */
  next = 0;
  /** Line breaks consumed by the record, its own included. */
  newlines = 0;
  unclosedQuote = false;
  scratch = Buffer.allocUnsafe(4096);
  private scratchLength = 0;

  constructor(
    private readonly delimiter: number,
    private readonly quote: number,
    private readonly lineBreak: number = LF,
  ) {}

  /** The buffer holding field `i`'s text: `scratch` or the input passed to {@link scan}. */
  source(i: number, input: Buffer): Buffer {
    return this.inScratch[i] === 1 ? this.scratch : input;
  }

  /**
   * Reads one record from `buf` at `pos` (< `end`). Returns false when the record is not
   * complete within `end` and more input may follow (`eof` false): call again from the
   * same `pos` with more bytes. At `eof` every remaining byte belongs to some record.
   */
  scan(buf: Buffer, pos: number, end: number, eof: boolean): boolean {
    const delimiter = this.delimiter;
    const quote = this.quote;
    const lineBreak = this.lineBreak;
    let p = pos;
    let newlines = 0;
    this.fieldCount = 0;
    this.scratchLength = 0;
    this.unclosedQuote = false;
    this.recordStart = pos;
    for (;;) {
      let start: number;
      let stop: number;
      let scratch = false;
      if (p < end && buf[p] === quote) {
        const open = p + 1;
        let escapes = false;
        let close = -1;
        p = open;
        while (p < end) {
          const b = buf[p];
          if (b === quote) {
            if (p + 1 >= end) {
              if (!eof) return false;
            } else if (buf[p + 1] === quote) {
              escapes = true;
              p += 2;
              continue;
            }
            close = p;
            p++;
            break;
          }
          if (b === lineBreak) newlines++;
          p++;
        }
        if (close < 0) {
          if (!eof) return false;
          this.unclosedQuote = true;
          this.push(open, end, false);
          this.recordEnd = end;
          this.next = end;
          this.newlines = newlines;
          return true;
        }
        const tail = p;
        while (p < end) {
          const b = buf[p];
          if (b === delimiter || b === lineBreak) break;
          p++;
        }
        if (p >= end && !eof) return false;
        let tailEnd = p;
        if (tailEnd > tail && buf[tailEnd - 1] === CR && (p >= end || buf[p] === lineBreak)) tailEnd--;
        if (escapes || tailEnd > tail) {
          start = this.scratchLength;
          this.unescape(buf, open, close, tail, tailEnd);
          stop = this.scratchLength;
          scratch = true;
        } else {
          start = open;
          stop = close;
        }
      } else {
        start = p;
        while (p < end) {
          const b = buf[p];
          if (b === delimiter || b === lineBreak) break;
          p++;
        }
        if (p >= end && !eof) return false;
        stop = p;
        if (stop > start && buf[stop - 1] === CR && (p >= end || buf[p] === lineBreak)) stop--;
      }
      this.push(start, stop, scratch);
      if (p >= end) {
        this.recordEnd = end > pos && buf[end - 1] === CR ? end - 1 : end;
        this.next = end;
        break;
      }
      if (buf[p] === lineBreak) {
        this.recordEnd = p > pos && buf[p - 1] === CR ? p - 1 : p;
        this.next = p + 1;
        newlines++;
        break;
      }
      p++; // the delimiter
    }
    this.newlines = newlines;
    return true;
  }

  private push(start: number, stop: number, scratch: boolean): void {
    const i = this.fieldCount;
    if (i === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const bigger = make(a.length * 2);
        bigger.set(a);
        return bigger;
      };
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.ends = grow(this.ends, (n) => new Int32Array(n));
      this.inScratch = grow(this.inScratch, (n) => new Uint8Array(n));
    }
    this.starts[i] = start;
    this.ends[i] = stop;
    this.inScratch[i] = scratch ? 1 : 0;
    this.fieldCount = i + 1;
  }

  /** Copies a quoted field's text into scratch: [open, close) with `""` → `"`, then [tail, tailEnd). */
  private unescape(buf: Buffer, open: number, close: number, tail: number, tailEnd: number): void {
    const needed = this.scratchLength + (close - open) + (tailEnd - tail);
    if (needed > this.scratch.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.scratch.length * 2));
      this.scratch.copy(bigger, 0, 0, this.scratchLength);
      this.scratch = bigger;
    }
    const out = this.scratch;
    let o = this.scratchLength;
    for (let p = open; p < close; p++) {
      const b = buf[p] as number;
      out[o++] = b;
      if (b === this.quote) p++;
    }
    o += buf.copy(out, o, tail, tailEnd);
    this.scratchLength = o;
  }
}
