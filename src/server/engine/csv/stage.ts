/**
 * Streams a CSV file into a staging table: the engine's fast path (PERFORMANCE.md: Node
 * checks the bytes while streaming, good rows go out as binary COPY). Per record there is
 * no object, no await and no query; bad records go to `quarantined_records` with every
 * violation. Chunks, checkpoints and resuming: see ../staging/stage-file.ts.
 */
import { isUtf8 } from "node:buffer";
import { z } from "zod";
import type { TColumnType } from "@/nodes/contract";
import { violationMessage } from "@/nodes/values";
import { encodeText, fieldEncoders, type FieldEncoder } from "../staging/binary-copy";
import { columnNamesFromHeader } from "./column-names";
import { RecordTooLongError, type FileWindow } from "../staging/file-window";
import { formatBytes, type TCsvFormat } from "./format";
import type { TViolation } from "../staging/quarantine";
import { CsvScanner } from "./scanner";
import { RecordStager, ZStagedCounts, type TStagedCounts } from "../staging/record-stager";
import { firstInvalidUtf8 } from "../staging/utf8";
import { requireUtf8Database } from "../staging/run";
import { stageChunks, withFileWindow, type TFileStager, type TStageFileArgs } from "../staging/stage-file";

export { DEFAULT_CHUNK_ROWS } from "../staging/record-stager";
export { createStagingTable } from "../staging/run";

/** Where a staging run stands after a committed chunk. Stored as JSON in `node_runs.checkpoint`. */
export const ZCsvCheckpoint = z.object({
  /** File offset of the next record to read. */
  byteOffset: z.number().int().nonnegative(),
  /** Physical line on which that record starts. */
  line: z.number().int().positive(),
  ...ZStagedCounts.shape,
});
export type TCsvCheckpoint = z.infer<typeof ZCsvCheckpoint>;

/** A column loaded into the staging table. */
export interface TLoadColumn {
  name: string;
  type: TColumnType;
  /** Position of the field in the file's records. */
  sourceIndex: number;
  /**
   * The type was inferred from a sample, not chosen: a value that would not keep its exact
   * text in it (`00501` in an integer column) is quarantined (`inferredValueProblem`). Default false.
   */
  exact?: boolean;
}

/** An extra check on a field that passed its type check. */
export interface TFieldCheck {
  rule: string;
  /** The full violation message (e.g. `aqi: 612 is above the maximum 500`), or null when the value passes. */
  check: (value: string | null) => string | null;
}

/** A record's lineage ordinal is the physical line on which it starts. */
export interface TStageCsvArgs extends TStageFileArgs<TCsvCheckpoint, TLoadColumn> {
  format: TCsvFormat;
  /** Every column of the file in file order: header names as {@link columnNamesFromHeader} makes them, or generated ones. */
  fileColumns: string[];
  /** Checks per load column (key: index into `load`), run on values that passed the type check. */
  fieldChecks?: Map<number, TFieldCheck[]>;
  /** File column indexes whose non-empty values are violations (rule `unknownField`). */
  rejectNonEmpty?: number[];
}

/** `rowsIn` counts the records read: blank lines are not records. */
export type TStageCsvResult = TStagedCounts;

/**
 * Loads the file's records into `target` and quarantines the bad ones, in chunks of one
 * transaction each; see {@link TStageCsvArgs}. Afterwards rowsIn = rowsOut + rowsRejected.
 * Throws (after rolling back the current chunk) on a database error, an abort, a file
 * whose header does not match `fileColumns`, or a record longer than 16 MB.
 */
export async function stageCsv(args: TStageCsvArgs): Promise<TStageCsvResult> {
  await requireUtf8Database(args.client, "CSV");
  const resume = args.resumeFrom;
  return withFileWindow(args.filePath, resume?.byteOffset, async (window) => {
    const stager = new CsvStager(args, resume);
    if (!resume) await stager.readHeader(window);
    try {
      await stageChunks(args, window, stager);
    } catch (error) {
      if (error instanceof RecordTooLongError) throw new Error(`line ${stager.line}: ${error.message}`);
      throw error;
    }
    return stager.result();
  });
}

class CsvStager extends RecordStager implements TFileStager<TCsvCheckpoint> {
  private readonly scanner: CsvScanner;
  private readonly latin1: boolean;
  private readonly encoding: BufferEncoding;
  private readonly fileColumns: string[];
  private readonly names: string[];
  private readonly types: TColumnType[];
  private readonly sources: Int32Array;
  private readonly encoders: FieldEncoder[];
  private readonly exact: boolean[];
  private readonly checks: (TFieldCheck[] | undefined)[];
  private readonly rejectNonEmpty: number[];
  private readonly header: boolean;

  /** Physical line where the next record starts. */
  line: number;
  /** Position of the next NUL byte in the window at or after the current record, -1 for none, -2 not yet searched. */
  private nextNul = -2;
  /** File offset of the window's first byte, for messages that point at a byte of the file. */
  private bufferFileOffset = 0;

  constructor(args: TStageCsvArgs, resume: TCsvCheckpoint | null) {
    // Checked before the base class checks the lineage prefix: a bad format or header is the problem reported first.
    const { delimiter, quote, lineBreak } = formatBytes(args.format);
    if (new Set(args.fileColumns).size !== args.fileColumns.length) {
      throw new Error(`The file's column names must be unique (got ${args.fileColumns.join(", ")})`);
    }
    super(args, resume);
    this.scanner = new CsvScanner(delimiter, quote, lineBreak);
    this.latin1 = args.format.encoding === "latin1";
    this.encoding = this.latin1 ? "latin1" : "utf8";
    this.fileColumns = args.fileColumns;
    for (const column of args.load) {
      if (!Number.isInteger(column.sourceIndex) || column.sourceIndex < 0 || column.sourceIndex >= args.fileColumns.length) {
        throw new Error(`Column ${column.name} reads field ${column.sourceIndex + 1}, but the file has ${args.fileColumns.length} columns`);
      }
    }
    this.names = args.load.map((c) => c.name);
    this.types = args.load.map((c) => c.type);
    this.sources = Int32Array.from(args.load.map((c) => c.sourceIndex));
    const encoders = fieldEncoders(this.latin1);
    const exactEncoders = fieldEncoders(this.latin1, true);
    this.exact = args.load.map((c) => c.exact === true);
    this.encoders = args.load.map((c) => (c.exact ? exactEncoders : encoders)[c.type]);
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
    this.header = args.format.header;
    this.line = resume?.line ?? 1;
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

  stageAvailable(window: FileWindow): boolean {
    const s = this.scanner;
    const buf = window.buf;
    this.nextNul = -2; // the window's bytes changed since the last search
    this.bufferFileOffset = window.offset - window.pos;
    while (window.pos < window.end && s.scan(buf, window.pos, window.end, window.eof)) {
      window.pos = s.next;
      this.stageRecord(buf);
      if (this.chunkFull()) return true;
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
    this.countRecord();
    const hash = this.hashRecord(buf, start, end);
    if (s.unclosedQuote) {
      const lines = s.newlines + 1;
      this.rejectRaw(line, hash, this.recordText(buf), "columnCount", `line ${line}: a quoted field opened in this record is never closed, so the rest of the file (${lines} line${lines === 1 ? "" : "s"}) was kept as one record`);
      return;
    }
    if (!this.latin1 && !this.ascii && !isUtf8(buf.subarray(start, end))) {
      const invalid = firstInvalidUtf8(buf, start, end);
      this.rejectRaw(line, hash, this.recordText(buf), "encoding", `line ${line}: invalid UTF-8 at byte offset ${this.bufferFileOffset + invalid} of the file (if the file is Latin-1, set the encoding to latin1)`);
      return;
    }
    if (s.fieldCount !== this.fileColumns.length) {
      this.rejectRaw(line, hash, this.recordText(buf), "columnCount", `line ${line}: expected ${this.fileColumns.length} fields, found ${s.fieldCount}`);
      return;
    }
    const nul = this.hasNul(buf, start, end);
    const out = this.out;
    const tupleStart = this.beginRow();
    const count = this.types.length;
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
        const problem = encodeText(this.types[k] as TColumnType, text, out, this.exact[k]);
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
      this.reject(line, hash, record, violations);
      return;
    }
    this.accept(line, hash);
  }

  /** The current record's text, for records quarantined raw. */
  private recordText(buf: Buffer): string {
    return buf.toString(this.encoding, this.scanner.recordStart, this.scanner.recordEnd);
  }

  checkpoint(byteOffset: number): TCsvCheckpoint {
    return { byteOffset, line: this.line, ...this.counts() };
  }

  result(): TStageCsvResult {
    return this.counts();
  }
}
