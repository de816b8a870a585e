/**
 * Streams a CSV file into a staging table: the engine's fast path (PERFORMANCE.md: Node
 * checks the bytes while streaming, good rows go out as binary COPY). Per record there is
 * no object, no await and no query; bad records go to `quarantined_records` with every
 * violation. The file is loaded in chunks, each one transaction that also saves a
 * checkpoint, so a killed run resumes after its last committed chunk and ends with exactly
 * the rows of an uninterrupted run.
 */
import { open } from "node:fs/promises";
import { isUtf8 } from "node:buffer";
import { once } from "node:events";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Writable } from "node:stream";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { z } from "zod";
import { LINEAGE_COLUMN, type TColumnType } from "@/nodes/contract";
import { ident, join, raw, render, sql, type Sql } from "@/nodes/sql";
import { PG_TYPES, violationMessage } from "@/nodes/values";
import { CopyBuffer, encodeText, fieldEncoders, writeHeader, writeTrailer, type FieldEncoder } from "./binary-copy";
import { columnNamesFromHeader } from "./column-names";
import { FileWindow, RecordTooLongError } from "./file-reader";
import { formatBytes, type TCsvFormat } from "./format";
import { QUARANTINE_COPY, QuarantineBatch, RAW_RECORD_KEY, type TQuarantineOwner, type TViolation } from "./quarantine";
import { CsvScanner } from "./scanner";

/** Where a staging run stands after a committed chunk. Stored as JSON in `node_runs.checkpoint`. */
export const ZCsvCheckpoint = z.object({
  /** File offset of the next record to read. */
  byteOffset: z.number().int().nonnegative(),
  /** Physical line on which that record starts. */
  line: z.number().int().positive(),
  rowsIn: z.number().int().nonnegative(),
  rowsOut: z.number().int().nonnegative(),
  rowsRejected: z.number().int().nonnegative(),
  /** The checksum of the good rows so far (see {@link TStageCsvResult.checksum}). */
  checksum: z.string().regex(/^[0-9a-f]{16}$/),
});
export type TCsvCheckpoint = z.infer<typeof ZCsvCheckpoint>;

/** A column loaded into the staging table. */
export interface TLoadColumn {
  name: string;
  type: TColumnType;
  /** Position of the field in the file's records. */
  sourceIndex: number;
}

/** An extra check on a field that passed its type check. */
export interface TFieldCheck {
  rule: string;
  /** The full violation message (e.g. `aqi: 612 is above the maximum 500`), or null when the value passes. */
  check: (value: string | null) => string | null;
}

export interface TStageCsvArgs {
  /** A dedicated connection: stageCsv runs BEGIN/COMMIT on it, one transaction per chunk. */
  client: pg.ClientBase;
  filePath: string;
  format: TCsvFormat;
  /** Every column of the file in file order: header names as {@link columnNamesFromHeader} makes them, or generated ones. */
  fileColumns: string[];
  /** Columns to load, in staging table order. */
  load: TLoadColumn[];
  /** Checks per load column (key: index into `load`), run on values that passed the type check. */
  fieldChecks?: Map<number, TFieldCheck[]>;
  /** File column indexes whose non-empty values are violations (rule `unknownField`). */
  rejectNonEmpty?: number[];
  /** The staging table (see {@link createStagingTable}): the load columns, then `_sluice_lineage_id text`. */
  target: Sql;
  /** A record's lineage id is `${lineagePrefix}${line}:${hash}`, hash being 8 hex digits of FNV-1a over its bytes. */
  lineagePrefix: string;
  quarantine: TQuarantineOwner;
  /** The last saved checkpoint, to resume after it; null to start from the beginning. */
  resumeFrom: TCsvCheckpoint | null;
  /** Called inside each chunk's transaction, before COMMIT. */
  saveCheckpoint: (client: pg.ClientBase, checkpoint: TCsvCheckpoint) => Promise<void>;
  /** Records per chunk. Default 250 000. */
  chunkRows?: number;
  signal?: AbortSignal;
}

export interface TStageCsvResult {
  /** Records read (blank lines are not records). */
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  /**
   * 16 hex digits: the sum modulo 2^64 of the good records' hashes. Independent of order
   * and chunking, so a resumed run ends with the checksum of an uninterrupted one.
   */
  checksum: string;
}

export const DEFAULT_CHUNK_ROWS = 250_000;
/** A chunk also ends once its quarantined records hold this much text, to keep memory flat. */
const MAX_QUARANTINE_CHARS = 8 * 1024 * 1024;
const TWO_POW_32 = 4294967296;

/** Creates an unlogged staging table with the columns stageCsv writes. */
export async function createStagingTable(client: pg.ClientBase, target: Sql, load: readonly TLoadColumn[]): Promise<void> {
  const columns = [
    // PG_TYPES holds type names written in this codebase, never user text.
    ...load.map((c) => sql`${ident(c.name)} ${raw(PG_TYPES[c.type])}`),
    sql`${ident(LINEAGE_COLUMN)} text NOT NULL`,
  ];
  await query(client, sql`CREATE UNLOGGED TABLE ${target} (${join(columns)})`);
}

async function query(client: pg.ClientBase, statement: Sql): Promise<pg.QueryResult> {
  const { text, values } = render(statement);
  return client.query(text, values);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/**
 * Loads the file's records into `target` and quarantines the bad ones, in chunks of one
 * transaction each; see {@link TStageCsvArgs}. Afterwards rowsIn = rowsOut + rowsRejected.
 * Throws (after rolling back the current chunk) on a database error, an abort, a file
 * whose header does not match `fileColumns`, or a record longer than 16 MB.
 */
export async function stageCsv(args: TStageCsvArgs): Promise<TStageCsvResult> {
  const { client, signal } = args;
  const encodingResult = await client.query<{ server_encoding: string }>("SHOW server_encoding");
  if (encodingResult.rows[0]?.server_encoding !== "UTF8") {
    throw new Error(`The database must use UTF8 encoding to load CSV files (it uses ${encodingResult.rows[0]?.server_encoding})`);
  }
  const file = await open(args.filePath, "r");
  try {
    const size = (await file.stat()).size;
    const resume = args.resumeFrom;
    if (resume && resume.byteOffset > size) {
      throw new Error(
        `The checkpoint is at byte ${resume.byteOffset} but the file has only ${size} bytes: the file changed since the run started`,
      );
    }
    const window = new FileWindow(file, resume?.byteOffset ?? 0);
    const stager = new RecordStager(args, resume);
    if (!resume) await stager.readHeader(window);
    const chunkRows = args.chunkRows ?? DEFAULT_CHUNK_ROWS;
    const copyStatement = render(
      sql`COPY ${args.target} (${join([...args.load.map((c) => ident(c.name)), ident(LINEAGE_COLUMN)])}) FROM STDIN (FORMAT binary)`,
    ).text;
    const quarantineStatement = render(QUARANTINE_COPY).text;
    let done = false;
    while (!done) {
      signal?.throwIfAborted();
      await client.query("BEGIN");
      let copy: CopyIn | null = null;
      try {
        // Text in binary COPY is converted from the client encoding: make it the bytes we send.
        await client.query("SET LOCAL client_encoding TO 'UTF8'");
        copy = new CopyIn(client.query(copyFrom(copyStatement)));
        stager.startChunk();
        for (;;) {
          const full = stager.stageAvailable(window, chunkRows, MAX_QUARANTINE_CHARS);
          await copy.write(stager.out.take());
          if (full) break;
          if (window.eof && window.pos >= window.end) {
            done = true;
            break;
          }
          signal?.throwIfAborted();
          await window.fill(window.pos < window.end);
        }
        writeTrailer(stager.out);
        await copy.end(stager.out.take());
        copy = null;
        if (stager.quarantine.count > 0) {
          copy = new CopyIn(client.query(copyFrom(quarantineStatement)));
          await copy.end(stager.quarantine.take());
          copy = null;
        }
        await args.saveCheckpoint(client, stager.checkpoint(window.offset));
        await client.query("COMMIT");
      } catch (error) {
        await copy?.cancel(error);
        await client.query("ROLLBACK").catch(() => {});
        if (error instanceof RecordTooLongError) throw new Error(`line ${stager.line}: ${error.message}`);
        throw error;
      }
    }
    return stager.result();
  } finally {
    await file.close();
  }
}

/**
 * A COPY FROM STDIN under way. pg-copy-streams reports a server error by emitting
 * 'error' without destroying the stream, at any moment: the listener is attached from
 * the start, and every step checks for it.
 */
class CopyIn {
  private error: Error | null = null;
  private readonly done: Promise<void>;

  constructor(private readonly stream: Writable) {
    this.done = new Promise<void>((resolve, reject) => {
      stream.on("error", (error: Error) => {
        this.error ??= error;
        reject(error);
      });
      stream.on("finish", resolve);
    });
    // Awaited by end() or write(); until then a rejection is only recorded.
    this.done.catch(() => {});
  }

  /** Sends bytes, waiting while the stream is full (its backpressure) and at least one turn of the event loop. */
  async write(data: Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (data.length > 0 && !this.stream.write(data)) await Promise.race([once(this.stream, "drain"), this.done]);
    else await nextTurn();
    if (this.error) throw this.error;
  }

  /** Sends the last bytes and waits until the server has taken the whole COPY. */
  async end(data: Buffer): Promise<void> {
    if (this.error) throw this.error;
    this.stream.end(data);
    await this.done;
  }

  /** Abandons the COPY: sends CopyFail, so the server leaves COPY mode before the rollback. */
  async cancel(reason: unknown): Promise<void> {
    // After a server error the COPY is over already, and the stream cannot send CopyFail.
    if (this.error || this.stream.writableFinished) return;
    this.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    await this.done.catch(() => {});
  }
}

/** The per-record work, kept in one object so the hot loop reads fields, not closures. */
class RecordStager {
  readonly out = new CopyBuffer();
  readonly quarantine: QuarantineBatch;
  private readonly scanner: CsvScanner;
  private readonly latin1: boolean;
  private readonly encoding: BufferEncoding;
  private readonly fileColumns: string[];
  private readonly names: string[];
  private readonly types: TColumnType[];
  private readonly sources: Int32Array;
  private readonly encoders: FieldEncoder[];
  private readonly checks: (TFieldCheck[] | undefined)[];
  private readonly rejectNonEmpty: number[];
  private readonly prefix: Buffer;
  private readonly lineagePrefix: string;
  private readonly header: boolean;

  /** Physical line where the next record starts. */
  line: number;
  private rowsIn: number;
  private rowsOut: number;
  private rowsRejected: number;
  private sumHigh: number;
  private sumLow: number;
  private chunkRowsIn = 0;
  /** Position of the next NUL byte in the window at or after the current record, -1 for none, -2 not yet searched. */
  private nextNul = -2;

  constructor(args: TStageCsvArgs, resume: TCsvCheckpoint | null) {
    const { delimiter, quote } = formatBytes(args.format);
    this.scanner = new CsvScanner(delimiter, quote);
    this.latin1 = args.format.encoding === "latin1";
    this.encoding = this.latin1 ? "latin1" : "utf8";
    this.fileColumns = args.fileColumns;
    if (new Set(args.fileColumns).size !== args.fileColumns.length) {
      throw new Error(`The file's column names must be unique (got ${args.fileColumns.join(", ")})`);
    }
    if (args.lineagePrefix.includes("\u0000")) throw new Error("The lineage prefix cannot contain a NUL character");
    for (const column of args.load) {
      if (!Number.isInteger(column.sourceIndex) || column.sourceIndex < 0 || column.sourceIndex >= args.fileColumns.length) {
        throw new Error(`Column ${column.name} reads field ${column.sourceIndex + 1}, but the file has ${args.fileColumns.length} columns`);
      }
    }
    this.names = args.load.map((c) => c.name);
    this.types = args.load.map((c) => c.type);
    this.sources = Int32Array.from(args.load.map((c) => c.sourceIndex));
    const encoders = fieldEncoders(this.latin1);
    this.encoders = args.load.map((c) => encoders[c.type]);
    this.checks = args.load.map((_, k) => {
      const list = args.fieldChecks?.get(k);
      return list && list.length > 0 ? list : undefined;
    });
    this.rejectNonEmpty = args.rejectNonEmpty ?? [];
    for (const i of this.rejectNonEmpty) {
      if (!Number.isInteger(i) || i < 0 || i >= args.fileColumns.length) {
        throw new Error(`rejectNonEmpty names field ${i + 1}, but the file has ${args.fileColumns.length} columns`);
      }
    }
    for (const k of args.fieldChecks?.keys() ?? []) {
      if (!Number.isInteger(k) || k < 0 || k >= args.load.length) {
        throw new Error(`fieldChecks has checks for load column ${k}, but only ${args.load.length} columns are loaded`);
      }
    }
    this.lineagePrefix = args.lineagePrefix;
    this.header = args.format.header;
    this.prefix = Buffer.from(args.lineagePrefix, "utf8");
    this.quarantine = new QuarantineBatch(args.quarantine);
    this.line = resume?.line ?? 1;
    this.rowsIn = resume?.rowsIn ?? 0;
    this.rowsOut = resume?.rowsOut ?? 0;
    this.rowsRejected = resume?.rowsRejected ?? 0;
    const checksum = resume?.checksum ?? "0".repeat(16);
    this.sumHigh = Number.parseInt(checksum.slice(0, 8), 16);
    this.sumLow = Number.parseInt(checksum.slice(8), 16);
  }

  /** Skips a UTF-8 byte order mark and, when the format has one, the header record. */
  async readHeader(window: FileWindow): Promise<void> {
    while (!window.eof && window.end < 3) await window.fill(true);
    const b = window.buf;
    if (!this.latin1 && window.end >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) window.pos = 3;
    if (!this.header) return;
    for (;;) {
      if (window.pos < window.end && this.scanner.scan(window.buf, window.pos, window.end, window.eof)) break;
      if (window.eof) return; // an empty file: no header, no rows
      await window.fill(window.pos < window.end);
    }
    const s = this.scanner;
    const header = Array.from({ length: s.fieldCount }, (_, i) =>
      s.source(i, window.buf).toString(this.encoding, s.starts[i], s.ends[i]),
    );
    const names = columnNamesFromHeader(header);
    if (names.length !== this.fileColumns.length || names.some((name, i) => name !== this.fileColumns[i])) {
      throw new Error(
        `The file's header (${names.join(", ")}) does not match the columns the pipeline expects (${this.fileColumns.join(", ")}): the file changed since it was inspected`,
      );
    }
    window.pos = s.next;
    this.line += s.newlines;
  }

  startChunk(): void {
    this.chunkRowsIn = 0;
    writeHeader(this.out);
  }

  /**
   * Stages the complete records in the window. Returns true when the chunk is full
   * (`chunkRows` records, or too much quarantine text held).
   */
  stageAvailable(window: FileWindow, chunkRows: number, maxQuarantineChars: number): boolean {
    const s = this.scanner;
    const buf = window.buf;
    this.nextNul = -2; // the window's bytes changed since the last search
    while (window.pos < window.end && s.scan(buf, window.pos, window.end, window.eof)) {
      window.pos = s.next;
      this.stageRecord(buf);
      if (this.chunkRowsIn >= chunkRows || this.quarantine.size >= maxQuarantineChars) return true;
    }
    return false;
  }

  /** Whether [start, end) holds a NUL byte; one native search per window, as records come in order. */
  private hasNul(buf: Buffer, start: number, end: number): boolean {
    if (this.nextNul === -2 || (this.nextNul >= 0 && this.nextNul < start)) this.nextNul = buf.indexOf(0, start);
    return this.nextNul >= 0 && this.nextNul < end;
  }

  private stageRecord(buf: Buffer): void {
    const s = this.scanner;
    const line = this.line;
    this.line += s.newlines;
    const start = s.recordStart;
    const end = s.recordEnd;
    if (end === start && s.fieldCount === 1 && !s.unclosedQuote) return; // a blank line holds no record
    this.rowsIn++;
    this.chunkRowsIn++;
    let hash = 0x811c9dc5;
    let bits = 0;
    for (let p = start; p < end; p++) {
      const b = buf[p] as number;
      hash = Math.imul(hash ^ b, 0x01000193);
      bits |= b;
    }
    hash >>>= 0;
    if (s.unclosedQuote) {
      const lines = s.newlines + 1;
      this.rejectRaw(buf, line, hash, "columnCount", `line ${line}: a quoted field opened in this record is never closed, so the rest of the file (${lines} line${lines === 1 ? "" : "s"}) was kept as one record`);
      return;
    }
    if (!this.latin1 && bits >= 0x80 && !isUtf8(buf.subarray(start, end))) {
      this.rejectRaw(buf, line, hash, "encoding", `line ${line}: the record is not valid UTF-8 (if the file is Latin-1, set the encoding to latin1)`);
      return;
    }
    if (s.fieldCount !== this.fileColumns.length) {
      this.rejectRaw(buf, line, hash, "columnCount", `line ${line}: expected ${this.fileColumns.length} fields, found ${s.fieldCount}`);
      return;
    }
    const nul = this.hasNul(buf, start, end);
    const out = this.out;
    const tupleStart = out.pos;
    const count = this.types.length;
    out.int16(count + 1);
    let violations: TViolation[] | null = null;
    for (let k = 0; k < count; k++) {
      const i = this.sources[k] as number;
      const src = s.inScratch[i] === 1 ? s.scratch : buf;
      const a = s.starts[i] as number;
      const b = s.ends[i] as number;
      let typeOk = true;
      if (a === b) out.int32(-1);
      else if ((nul && this.types[k] === "string") || !(this.encoders[k] as FieldEncoder)(src, a, b, out)) {
        const text = src.toString(this.encoding, a, b);
        const problem = encodeText(this.types[k] as TColumnType, text, out);
        if (problem !== null) {
          typeOk = false;
          const field = this.names[k] as string;
          (violations ??= []).push({ field, rule: "type", value: text, message: violationMessage(field, problem) });
        }
      }
      const checks = this.checks[k];
      if (checks !== undefined && typeOk) {
        const value = a === b ? null : src.toString(this.encoding, a, b);
        for (const { rule, check } of checks) {
          const message = check(value);
          if (message !== null) (violations ??= []).push({ field: this.names[k] as string, rule, value, message });
        }
      }
    }
    for (const i of this.rejectNonEmpty) {
      const a = s.starts[i] as number;
      const b = s.ends[i] as number;
      if (a !== b) {
        const field = this.fileColumns[i] as string;
        const value = s.source(i, buf).toString(this.encoding, a, b);
        (violations ??= []).push({
          field,
          rule: "unknownField",
          value,
          message: violationMessage(field, "this field is not expected here, but it holds a value"),
        });
      }
    }
    if (violations !== null) {
      out.pos = tupleStart;
      const record: [string, string | null][] = this.fileColumns.map((name, i) => {
        const a = s.starts[i] as number;
        const b = s.ends[i] as number;
        return [name, a === b ? null : s.source(i, buf).toString(this.encoding, a, b)];
      });
      this.quarantine.add(this.lineageId(line, hash), record, violations);
      this.rowsRejected++;
      return;
    }
    this.writeLineage(line, hash);
    this.rowsOut++;
    this.sumLow += hash;
    if (this.sumLow >= TWO_POW_32) {
      this.sumLow -= TWO_POW_32;
      this.sumHigh = (this.sumHigh + 1) >>> 0;
    }
  }

  private lineageId(line: number, hash: number): string {
    return `${this.lineagePrefix}${line}:${hex8(hash)}`;
  }

  /** Writes the lineage id field from bytes: no string per row. */
  private writeLineage(line: number, hash: number): void {
    const out = this.out;
    let digits = 1;
    for (let n = line; n >= 10; n = Math.floor(n / 10)) digits++;
    const length = this.prefix.length + digits + 9;
    out.int32(length);
    out.ensure(length);
    out.bytes(this.prefix, 0, this.prefix.length);
    const b = out.buf;
    let p = out.pos + digits;
    for (let n = line, i = 0; i < digits; i++, n = Math.floor(n / 10)) b[--p] = 0x30 + (n % 10);
    p = out.pos + digits;
    b[p++] = 0x3a;
    for (let shift = 28; shift >= 0; shift -= 4) {
      const nibble = (hash >>> shift) & 0xf;
      b[p++] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble;
    }
    out.pos = p;
  }

  private rejectRaw(buf: Buffer, line: number, hash: number, rule: string, message: string): void {
    const s = this.scanner;
    const raw = buf.toString(this.encoding, s.recordStart, s.recordEnd);
    this.quarantine.add(this.lineageId(line, hash), [[RAW_RECORD_KEY, raw]], [{ field: RAW_RECORD_KEY, rule, value: null, message }]);
    this.rowsRejected++;
  }

  checkpoint(byteOffset: number): TCsvCheckpoint {
    return {
      byteOffset,
      line: this.line,
      rowsIn: this.rowsIn,
      rowsOut: this.rowsOut,
      rowsRejected: this.rowsRejected,
      checksum: this.checksum(),
    };
  }

  private checksum(): string {
    return hex8(this.sumHigh) + hex8(this.sumLow);
  }

  result(): TStageCsvResult {
    return { rowsIn: this.rowsIn, rowsOut: this.rowsOut, rowsRejected: this.rowsRejected, checksum: this.checksum() };
  }
}
