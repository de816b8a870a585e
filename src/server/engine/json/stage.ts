/**
 * Streams a JSON file (one array of objects, or NDJSON) into a staging table, the way the
 * CSV stager does: Node parses the bytes as they pass (no object, no await, no query per
 * record), good rows go out as binary COPY, bad records go to `quarantined_records` with
 * every violation. Chunks, checkpoints and resuming: see ../staging/run.ts.
 */
import { z } from "zod";
import type { TColumnType } from "@/nodes/contract";
import { ZJsonFormat, type TJsonFormat } from "@/nodes/sources/json";
import { violationMessage } from "@/nodes/values";
import { encodeText, fieldEncoders, type CopyBuffer, type FieldEncoder } from "../staging/binary-copy";
import { MAX_RECORD_BYTES, RecordTooLongError, type FileWindow } from "../staging/file-window";
import type { TViolation } from "../staging/quarantine";
import { fnv1a } from "../staging/fnv1a";
import { RecordStager, ZStagedCounts, type TStagedCounts } from "../staging/record-stager";
import { requireUtf8Database } from "../staging/run";
import { stageChunks, withFileWindow, type TFileStager, type TStageFileArgs } from "../staging/stage-file";
import { bodyStart } from "./inspect";
import { filePosition } from "./position";
import { containerProblem, loneSurrogateProblem, mismatchViolations, ndjsonLineProblem, recordLabel, recordProblem, storableText } from "./record-rules";
import {
  columnTrie,
  decodeJsonString,
  describeByteAt,
  JsonRecordParser,
  PARSE_ERROR,
  PARSE_INCOMPLETE,
  skipWhitespace,
  VALUE_ARRAY,
  VALUE_NONE,
  VALUE_NULL,
  VALUE_NUMBER,
  VALUE_OBJECT,
  VALUE_STRING,
} from "./scanner";

export { DEFAULT_CHUNK_ROWS } from "../staging/record-stager";
export { createStagingTable as createJsonStagingTable } from "../staging/run";

/**
 * Where the reader stands in an array: before `[`, after `[`, after a record (`,` or `]`
 * next), after `,` (a record next), after `]`. NDJSON files are read line by line: `lines`.
 */
export const ZJsonPhase = z.enum(["open", "first", "next", "value", "closed", "lines"]);
type TJsonPhase = z.infer<typeof ZJsonPhase>;

/** Where a staging run stands after a committed chunk. Stored as JSON in `node_runs.checkpoint`. */
export const ZJsonCheckpoint = z.object({
  format: ZJsonFormat,
  /** File offset of the next byte to read. */
  byteOffset: z.number().int().nonnegative(),
  /** The next record's lineage ordinal: its array index (0-based) or NDJSON line (1-based). */
  ordinal: z.number().int().nonnegative(),
  phase: ZJsonPhase,
  ...ZStagedCounts.shape,
  ignoredFields: z.number().int().nonnegative(),
  ignoredExamples: z.array(z.string()),
});
export type TJsonCheckpoint = z.infer<typeof ZJsonCheckpoint>;

/** A column loaded into the staging table, by its path in the records. */
export interface TJsonLoadColumn {
  name: string;
  type: TColumnType;
  /**
   * The type was inferred from a sample, not chosen: a value that would not keep its exact
   * text in it (`00501` in an integer column) is quarantined (`inferredValueProblem`). Default false.
   */
  exact?: boolean;
}

/** A record's lineage ordinal is its array index (0-based) or NDJSON line (1-based). */
export interface TStageJsonArgs extends TStageFileArgs<TJsonCheckpoint, TJsonLoadColumn> {
  format: TJsonFormat;
  /** Column names are dotted paths when true (default), top-level keys when false. */
  flatten?: boolean;
}

/** `rowsIn` counts the records read: array elements, or NDJSON lines that are not blank. */
export interface TStageJsonResult extends TStagedCounts {
  /** Fields of the records that are not columns, and were not loaded. */
  ignoredFields: number;
  /** Up to five of their paths. */
  ignoredExamples: string[];
}

/** The file cannot be read on from a byte offset; the message names the place. */
export class JsonFileError extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** A number without an exponent, short enough for numeric's limits. */
function plainNumber(buf: Buffer, start: number, end: number): boolean {
  if (end - start > 16000) return false;
  for (let p = start; p < end; p++) if (((buf[p] as number) | 0x20) === 0x65) return false;
  return true;
}

/** jsonb's binary input: a version byte, then the JSON text. */
function writeJsonb(out: CopyBuffer, buf: Buffer, start: number, end: number): void {
  out.int32(1 + end - start);
  out.ensure(1);
  out.buf[out.pos++] = 1;
  out.bytes(buf, start, end);
}

/**
 * Loads the file's records into `target` and quarantines the bad ones, in chunks of one
 * transaction each; see {@link TStageJsonArgs}. Afterwards rowsIn = rowsOut + rowsRejected.
 * Throws (after rolling back the current chunk) on a database error, an abort, an array
 * that is not valid JSON or is cut off (saying where), an empty file, or a record longer
 * than 16 MB.
 */
export async function stageJson(args: TStageJsonArgs): Promise<TStageJsonResult> {
  await requireUtf8Database(args.client, "JSON");
  const resume = args.resumeFrom;
  if (resume && resume.format !== args.format) {
    throw new Error(`The checkpoint was written reading the file as ${resume.format}, not ${args.format}: the pipeline changed since the run started`);
  }
  return withFileWindow(args.filePath, resume?.byteOffset, async (window, size) => {
    const stager = new JsonStager(args, resume);
    try {
      if (!resume) await stager.start(window, size);
      await stageChunks(args, window, stager);
      return stager.result();
    } catch (error) {
      if (error instanceof JsonFileError) {
        const { line, column } = await filePosition(args.filePath, error.offset);
        throw new Error(`The file is not valid JSON at line ${line}, column ${column} (byte ${error.offset}): ${error.problem}`);
      }
      if (error instanceof RecordTooLongError) {
        throw new Error(
          `${stager.where()} is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB: a record this large is most likely ` +
            "a broken file (a string or bracket never closed); records must each be smaller",
        );
      }
      throw error;
    }
  });
}

class JsonStager extends RecordStager implements TFileStager<TJsonCheckpoint> {
  private readonly parser: JsonRecordParser;
  private readonly format: TJsonFormat;
  private readonly names: string[];
  private readonly types: TColumnType[];
  private readonly encoders: FieldEncoder[];
  private readonly exact: boolean[];

  private phase: TJsonPhase;
  private ordinal: number;
  private ignoredFields: number;

  constructor(args: TStageJsonArgs, resume: TJsonCheckpoint | null) {
    super(args, resume);
    if (new Set(args.load.map((c) => c.name)).size !== args.load.length) {
      throw new Error(`The column names must be unique (got ${args.load.map((c) => c.name).join(", ")})`);
    }
    this.format = args.format;
    this.names = args.load.map((c) => c.name);
    this.types = args.load.map((c) => c.type);
    const encoders = fieldEncoders(false);
    const exactEncoders = fieldEncoders(false, true);
    this.exact = args.load.map((c) => c.exact === true);
    this.encoders = args.load.map((c) => (c.exact ? exactEncoders : encoders)[c.type]);
    const trie = columnTrie(this.names, args.flatten ?? true);
    this.parser = new JsonRecordParser(trie, args.load.length, {
      jsonColumns: Uint8Array.from(args.load.map((c) => (c.type === "json" ? 1 : 0))),
    });
    this.ignoredFields = resume?.ignoredFields ?? 0;
    this.parser.ignoredExamples.push(...(resume?.ignoredExamples ?? []));
    this.phase = resume?.phase ?? (args.format === "array" ? "open" : "lines");
    this.ordinal = resume?.ordinal ?? (args.format === "array" ? 0 : 1);
  }

  /** The record being read, for messages. */
  where(): string {
    return this.format === "array" ? `The record at index ${this.ordinal}` : `Line ${this.ordinal}`;
  }

  /** Skips a byte order mark; refuses an empty file, and an array read as NDJSON. */
  async start(window: FileWindow, size: number): Promise<void> {
    while (!window.eof && window.end < 3) await window.fill(true);
    window.pos = bodyStart(window.buf.subarray(0, window.end));
    let first = skipWhitespace(window.buf, window.pos, window.end);
    while (first >= window.end && !window.eof) {
      await window.fill(window.pos < window.end);
      first = skipWhitespace(window.buf, window.pos, window.end);
    }
    if (first >= window.end) {
      throw new Error(size === 0 ? "The file is empty: upload a file holding JSON records" : "The file holds only whitespace, no JSON records");
    }
    if (this.format === "ndjson" && window.buf[first] === 0x5b) {
      throw new Error("The file starts with '[': it is one JSON array, not NDJSON. Set the format to array (or leave it unset)");
    }
  }

  stageAvailable(window: FileWindow): boolean {
    return this.format === "array" ? this.stageArray(window) : this.stageLines(window);
  }

  private stageLines(window: FileWindow): boolean {
    const buf = window.buf;
    while (window.pos < window.end) {
      let newline = buf.indexOf(0x0a, window.pos);
      if (newline < 0 || newline >= window.end) {
        if (!window.eof) return false;
        newline = window.end;
      }
      const start = window.pos;
      let end = newline;
      if (end > start && buf[end - 1] === 0x0d) end--;
      const line = this.ordinal++;
      window.pos = Math.min(newline + 1, window.end);
      if (skipWhitespace(buf, start, end) === end) continue; // a blank line holds no record
      const valueEnd = this.parser.parse(buf, start, end, true);
      const problem = ndjsonLineProblem(this.parser, buf, start, end, valueEnd, line);
      if (problem !== null) {
        this.countRecord();
        this.rejectRaw(line, fnv1a(buf, start, end), buf.toString("utf8", start, end), "json", problem);
      } else {
        this.stageRecord(buf, skipWhitespace(buf, start, end), valueEnd, line);
      }
      if (this.chunkFull()) return true;
    }
    return false;
  }

  private stageArray(window: FileWindow): boolean {
    const buf = window.buf;
    for (;;) {
      const p = skipWhitespace(buf, window.pos, window.end);
      window.pos = p;
      const fileOffset = window.offset;
      if (p >= window.end) {
        if (!window.eof || this.phase === "closed") return false;
        throw new JsonFileError(
          fileOffset,
          this.phase === "open"
            ? "the file ends before any JSON"
            : `the file ends inside the array, after ${this.ordinal} record${this.ordinal === 1 ? "" : "s"}: it is cut off (upload the whole file)`,
        );
      }
      const c = buf[p];
      switch (this.phase) {
        case "open":
          if (c !== 0x5b) throw new JsonFileError(fileOffset, `expected '[' (a JSON array) but found ${describeByteAt(buf, p, window.end)}`);
          window.pos = p + 1;
          this.phase = "first";
          break;
        case "first":
          if (c === 0x5d) {
            window.pos = p + 1;
            this.phase = "closed";
          } else this.phase = "value";
          break;
        case "next":
          if (c === 0x2c) this.phase = "value";
          else if (c === 0x5d) this.phase = "closed";
          else {
            throw new JsonFileError(fileOffset, `expected ',' or ']' after the record at index ${this.ordinal - 1} but found ${describeByteAt(buf, p, window.end)}`);
          }
          window.pos = p + 1;
          break;
        case "value": {
          const end = this.parser.parse(buf, p, window.end, window.eof);
          if (end === PARSE_INCOMPLETE) return false;
          if (end === PARSE_ERROR) {
            const at = fileOffset + (this.parser.errorAt - p);
            if (this.parser.errorAt >= window.end) {
              throw new JsonFileError(at, `the file ends inside the record at index ${this.ordinal}: it is cut off (upload the whole file)`);
            }
            throw new JsonFileError(at, `${this.parser.error} (in the record at index ${this.ordinal})`);
          }
          window.pos = end;
          this.phase = "next";
          this.stageRecord(buf, p, end, this.ordinal++);
          if (this.chunkFull()) return true;
          break;
        }
        case "closed":
          throw new JsonFileError(fileOffset, `unexpected ${describeByteAt(buf, p, window.end)} after the array's closing ']'`);
        case "lines":
          throw new Error("an NDJSON reader cannot read an array");
      }
    }
  }

  /** Stages one parsed record: its bytes are [start, end) and the parser holds its values. */
  private stageRecord(buf: Buffer, start: number, end: number, ordinal: number): void {
    this.countRecord();
    this.ignoredFields += this.parser.recordIgnored;
    const hash = this.hashRecord(buf, start, end);
    const parser = this.parser;
    const unloadable = recordProblem(parser, buf, start, end, recordLabel(this.format, ordinal), this.ascii);
    if (unloadable !== null) {
      this.rejectRaw(ordinal, hash, buf.toString("utf8", start, end), unloadable.rule, unloadable.message);
      return;
    }
    const out = this.out;
    const tupleStart = this.beginRow();
    const count = this.types.length;
    let violations: TViolation[] | null = null;
    for (let k = 0; k < count; k++) {
      const kind = parser.kinds[k] as number;
      if (kind === VALUE_NONE || kind === VALUE_NULL) {
        out.int32(-1);
        continue;
      }
      const type = this.types[k] as TColumnType;
      const a = parser.starts[k] as number;
      const b = parser.ends[k] as number;
      let problem: string | null = null;
      if (type === "json") {
        const start = kind === VALUE_STRING ? a - 1 : a;
        const stop = kind === VALUE_STRING ? b + 1 : b;
        // Parsed already, and UTF-8: only escapes and exponents can hold what jsonb refuses.
        if (parser.escaped[k] === 0 && (kind !== VALUE_NUMBER || plainNumber(buf, a, b))) writeJsonb(out, buf, start, stop);
        else problem = encodeText("json", buf.toString("utf8", start, stop), out);
      } else if (kind === VALUE_OBJECT || kind === VALUE_ARRAY) {
        problem = containerProblem(kind, type);
      } else if (a === b) {
        // An empty JSON string is an empty text, and NULL for every other type (as an empty CSV field).
        out.int32(type === "string" ? 0 : -1);
      } else if (kind === VALUE_STRING && parser.escaped[k] === 1) {
        const text = decodeJsonString(buf, a - 1, b + 1);
        problem = loneSurrogateProblem(text) ?? encodeText(type, text, out, this.exact[k]);
      } else if (!(this.encoders[k] as FieldEncoder)(buf, a, b, out)) {
        problem = encodeText(type, buf.toString("utf8", a, b), out, this.exact[k]);
      }
      if (problem !== null) {
        const field = this.names[k] as string;
        (violations ??= []).push({ field, rule: "type", value: this.valueText(buf, k), message: violationMessage(field, problem) });
      }
    }
    const mismatched = parser.mismatches.length > 0 ? mismatchViolations(parser, buf, this.names) : null;
    if (mismatched) (violations ??= []).push(...mismatched);
    if (violations !== null) {
      out.pos = tupleStart;
      const record: [string, string | null][] = this.names.map((name, k) => [name, this.valueText(buf, k)]);
      for (const mismatch of mismatched ?? []) record.push([mismatch.field, mismatch.value]);
      this.reject(ordinal, hash, record, violations);
      return;
    }
    this.accept(ordinal, hash);
  }

  /** A column's value as text for quarantine: strings decoded, other values as written in the file. */
  private valueText(buf: Buffer, k: number): string | null {
    const p = this.parser;
    return this.spanText(buf, p.kinds[k] as number, p.starts[k] as number, p.ends[k] as number, p.escaped[k] as number);
  }

  private spanText(buf: Buffer, kind: number, start: number, end: number, escaped: number): string | null {
    if (kind === VALUE_NONE || kind === VALUE_NULL) return null;
    // jsonb cannot hold a lone surrogate: shown as U+FFFD (the violation says why the record is here).
    if (kind === VALUE_STRING && escaped === 1) return storableText(decodeJsonString(buf, start - 1, end + 1));
    return buf.toString("utf8", start, end);
  }

  checkpoint(byteOffset: number): TJsonCheckpoint {
    return { format: this.format, byteOffset, ordinal: this.ordinal, phase: this.phase, ...this.counts(), ...this.ignored() };
  }

  result(): TStageJsonResult {
    return { ...this.counts(), ...this.ignored() };
  }

  private ignored(): Pick<TStageJsonResult, "ignoredFields" | "ignoredExamples"> {
    return { ignoredFields: this.ignoredFields, ignoredExamples: [...this.parser.ignoredExamples] };
  }
}
