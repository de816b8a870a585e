/**
 * Streams a JSON file (one array of objects, or NDJSON) into a staging table, the way the
 * CSV stager does: Node parses the bytes as they pass (no object, no await, no query per
 * record), good rows go out as binary COPY, bad records go to `quarantined_records` with
 * every violation. The file is loaded in chunks, each one transaction that also saves a
 * checkpoint, so a killed run resumes after its last committed chunk and ends with exactly
 * the rows of an uninterrupted run.
 */
import { isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { z } from "zod";
import { LINEAGE_COLUMN, type TColumnType } from "@/nodes/contract";
import { ZJsonFormat, type TJsonFormat } from "@/nodes/sources/json";
import { ident, join, raw, render, sql, type Sql } from "@/nodes/sql";
import { PG_TYPES, showValue, violationMessage } from "@/nodes/values";
import { CopyBuffer, encodeText, fieldEncoders, writeHeader, writeTrailer, type FieldEncoder } from "../csv/binary-copy";
import { FileWindow, MAX_RECORD_BYTES, RecordTooLongError } from "../csv/file-reader";
import { QUARANTINE_COPY, QuarantineBatch, RAW_RECORD_KEY, type TQuarantineOwner, type TViolation } from "../csv/quarantine";
import { bodyStart } from "./inspect";
import { filePosition } from "./position";
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
  VALUE_NOUNS,
  VALUE_NULL,
  VALUE_NUMBER,
  VALUE_OBJECT,
  VALUE_STRING,
} from "./scanner";

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
  rowsIn: z.number().int().nonnegative(),
  rowsOut: z.number().int().nonnegative(),
  rowsRejected: z.number().int().nonnegative(),
  /** The checksum of the good rows so far (see {@link TStageJsonResult.checksum}). */
  checksum: z.string().regex(/^[0-9a-f]{16}$/),
  ignoredFields: z.number().int().nonnegative(),
  ignoredExamples: z.array(z.string()),
});
export type TJsonCheckpoint = z.infer<typeof ZJsonCheckpoint>;

/** A column loaded into the staging table, by its path in the records. */
export interface TJsonLoadColumn {
  name: string;
  type: TColumnType;
}

export interface TStageJsonArgs {
  /** A dedicated connection: stageJson runs BEGIN/COMMIT on it, one transaction per chunk. */
  client: pg.ClientBase;
  filePath: string;
  format: TJsonFormat;
  /** Column names are dotted paths when true (default), top-level keys when false. */
  flatten?: boolean;
  /** Columns to load, in staging table order (see {@link createJsonStagingTable}). */
  load: TJsonLoadColumn[];
  /** The staging table: the load columns, then `_sluice_lineage_id text`. */
  target: Sql;
  /** A record's lineage id is `${lineagePrefix}${ordinal}:${hash}`, hash being 8 hex digits of FNV-1a over its bytes. */
  lineagePrefix: string;
  quarantine: TQuarantineOwner;
  /** The last saved checkpoint, to resume after it; null to start from the beginning. */
  resumeFrom: TJsonCheckpoint | null;
  /** Called inside each chunk's transaction, before COMMIT. */
  saveCheckpoint: (client: pg.ClientBase, checkpoint: TJsonCheckpoint) => Promise<void>;
  /** Records per chunk. Default 250 000. */
  chunkRows?: number;
  signal?: AbortSignal;
}

export interface TStageJsonResult {
  /** Records read: array elements, or NDJSON lines that are not blank. */
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  /**
   * 16 hex digits: the sum modulo 2^64 of the good records' hashes. Independent of order
   * and chunking, so a resumed run ends with the checksum of an uninterrupted one.
   */
  checksum: string;
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

export const DEFAULT_CHUNK_ROWS = 250_000;
/** A chunk also ends once its quarantined records hold this much text, to keep memory flat. */
const MAX_QUARANTINE_CHARS = 8 * 1024 * 1024;
const TWO_POW_32 = 4294967296;
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

const TYPE_NOUNS: Record<TColumnType, string> = {
  string: "a text",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  date: "a date",
  timestamp: "a timestamp",
  json: "JSON",
};

/** Creates an unlogged staging table with the columns stageJson writes. */
export async function createJsonStagingTable(client: pg.ClientBase, target: Sql, load: readonly TJsonLoadColumn[]): Promise<void> {
  const columns = [
    // PG_TYPES holds type names written in this codebase, never user text.
    ...load.map((c) => sql`${ident(c.name)} ${raw(PG_TYPES[c.type])}`),
    sql`${ident(LINEAGE_COLUMN)} text NOT NULL`,
  ];
  const { text, values } = render(sql`CREATE UNLOGGED TABLE ${target} (${join(columns)})`);
  await client.query(text, values);
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

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/**
 * Loads the file's records into `target` and quarantines the bad ones, in chunks of one
 * transaction each; see {@link TStageJsonArgs}. Afterwards rowsIn = rowsOut + rowsRejected.
 * Throws (after rolling back the current chunk) on a database error, an abort, an array
 * that is not valid JSON or is cut off (saying where), an empty file, or a record longer
 * than 16 MB.
 */
export async function stageJson(args: TStageJsonArgs): Promise<TStageJsonResult> {
  const { client, signal } = args;
  const encodingResult = await client.query<{ server_encoding: string }>("SHOW server_encoding");
  if (encodingResult.rows[0]?.server_encoding !== "UTF8") {
    throw new Error(`The database must use UTF8 encoding to load JSON files (it uses ${encodingResult.rows[0]?.server_encoding})`);
  }
  const resume = args.resumeFrom;
  if (resume && resume.format !== args.format) {
    throw new Error(`The checkpoint was written reading the file as ${resume.format}, not ${args.format}: the pipeline changed since the run started`);
  }
  const file = await open(args.filePath, "r");
  const stager = new JsonStager(args, resume);
  try {
    const size = (await file.stat()).size;
    if (resume && resume.byteOffset > size) {
      throw new Error(`The checkpoint is at byte ${resume.byteOffset} but the file has only ${size} bytes: the file changed since the run started`);
    }
    const window = new FileWindow(file, resume?.byteOffset ?? 0);
    if (!resume) await stager.start(window, size);
    const chunkRows = args.chunkRows ?? DEFAULT_CHUNK_ROWS;
    const copyStatement = render(
      sql`COPY ${args.target} (${join([...args.load.map((c) => ident(c.name)), ident(LINEAGE_COLUMN)])}) FROM STDIN (FORMAT binary)`,
    ).text;
    const quarantineStatement = render(QUARANTINE_COPY).text;
    let done = false;
    while (!done) {
      signal?.throwIfAborted();
      await client.query("BEGIN");
      let copy: Writable | null = null;
      try {
        // Text in binary COPY is converted from the client encoding: make it the bytes we send.
        await client.query("SET LOCAL client_encoding TO 'UTF8'");
        copy = client.query(copyFrom(copyStatement));
        stager.startChunk();
        for (;;) {
          const full = stager.stageAvailable(window, chunkRows, MAX_QUARANTINE_CHARS);
          await send(copy, stager.out.take());
          if (full) break;
          if (window.eof && window.pos >= window.end) {
            done = true;
            break;
          }
          signal?.throwIfAborted();
          await window.fill(window.pos < window.end);
        }
        writeTrailer(stager.out);
        copy.end(stager.out.take());
        await finished(copy);
        copy = null;
        if (stager.quarantine.count > 0) {
          const quarantineCopy = client.query(copyFrom(quarantineStatement));
          copy = quarantineCopy;
          quarantineCopy.end(stager.quarantine.take());
          await finished(quarantineCopy);
          copy = null;
        }
        await args.saveCheckpoint(client, stager.checkpoint(window.offset));
        await client.query("COMMIT");
      } catch (error) {
        if (copy) {
          // Sends CopyFail, so the server leaves COPY mode before the rollback.
          copy.destroy(error instanceof Error ? error : new Error(String(error)));
          await finished(copy).catch(() => {});
        }
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    }
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
  } finally {
    await file.close();
  }
}

/** Writes to a COPY stream, waiting while it is full (its backpressure) and at least one turn of the event loop. */
async function send(stream: Writable, data: Buffer): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (data.length > 0 && !stream.write(data)) {
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        stream.off("drain", onDrain);
        stream.off("error", onError);
        stream.off("close", onDrain);
      };
      const onDrain = () => {
        cleanup();
        if (stream.errored) reject(stream.errored);
        else resolve();
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      stream.on("drain", onDrain);
      stream.on("error", onError);
      stream.on("close", onDrain);
    });
  } else {
    await nextTurn();
  }
}

/** The per-record work, kept in one object so the hot loop reads fields, not closures. */
class JsonStager {
  readonly out = new CopyBuffer();
  readonly quarantine: QuarantineBatch;
  private readonly parser: JsonRecordParser;
  private readonly format: TJsonFormat;
  private readonly names: string[];
  private readonly types: TColumnType[];
  private readonly encoders: FieldEncoder[];
  private readonly prefix: Buffer;
  private readonly lineagePrefix: string;

  private phase: TJsonPhase;
  private ordinal: number;
  private rowsIn: number;
  private rowsOut: number;
  private rowsRejected: number;
  private sumHigh: number;
  private sumLow: number;
  private chunkRowsIn = 0;
  private ignoredFields: number;

  constructor(args: TStageJsonArgs, resume: TJsonCheckpoint | null) {
    if (args.lineagePrefix.includes("\u0000")) throw new Error("The lineage prefix cannot contain a NUL character");
    if (new Set(args.load.map((c) => c.name)).size !== args.load.length) {
      throw new Error(`The column names must be unique (got ${args.load.map((c) => c.name).join(", ")})`);
    }
    this.format = args.format;
    this.names = args.load.map((c) => c.name);
    this.types = args.load.map((c) => c.type);
    const encoders = fieldEncoders(false);
    this.encoders = args.load.map((c) => encoders[c.type]);
    const trie = columnTrie(this.names, args.flatten ?? true);
    this.parser = new JsonRecordParser(trie, args.load.length, {
      jsonColumns: Uint8Array.from(args.load.map((c) => (c.type === "json" ? 1 : 0))),
    });
    this.ignoredFields = resume?.ignoredFields ?? 0;
    this.parser.ignoredExamples.push(...(resume?.ignoredExamples ?? []));
    this.lineagePrefix = args.lineagePrefix;
    this.prefix = Buffer.from(args.lineagePrefix, "utf8");
    this.quarantine = new QuarantineBatch(args.quarantine);
    this.phase = resume?.phase ?? (args.format === "array" ? "open" : "lines");
    this.ordinal = resume?.ordinal ?? (args.format === "array" ? 0 : 1);
    this.rowsIn = resume?.rowsIn ?? 0;
    this.rowsOut = resume?.rowsOut ?? 0;
    this.rowsRejected = resume?.rowsRejected ?? 0;
    const checksum = resume?.checksum ?? "0".repeat(16);
    this.sumHigh = Number.parseInt(checksum.slice(0, 8), 16);
    this.sumLow = Number.parseInt(checksum.slice(8), 16);
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

  startChunk(): void {
    this.chunkRowsIn = 0;
    writeHeader(this.out);
  }

  /**
   * Stages the complete records in the window. Returns true when the chunk is full
   * (`chunkRows` records, or too much quarantine text held).
   */
  stageAvailable(window: FileWindow, chunkRows: number, maxQuarantineChars: number): boolean {
    return this.format === "array"
      ? this.stageArray(window, chunkRows, maxQuarantineChars)
      : this.stageLines(window, chunkRows, maxQuarantineChars);
  }

  private stageLines(window: FileWindow, chunkRows: number, maxQuarantineChars: number): boolean {
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
      const rest = valueEnd >= 0 ? skipWhitespace(buf, valueEnd, end) : end;
      if (valueEnd === PARSE_ERROR || rest < end) {
        const problem = valueEnd === PARSE_ERROR ? this.parser.error : `unexpected ${describeByteAt(buf, rest, end)} after the value`;
        const column = buf.toString("utf8", start, valueEnd === PARSE_ERROR ? this.parser.errorAt : rest).length + 1;
        this.countRecord();
        this.rejectRaw(buf, start, end, line, "json", `line ${line}: not valid JSON (${problem}, column ${column})`);
      } else {
        this.stageRecord(buf, skipWhitespace(buf, start, end), valueEnd, line);
      }
      if (this.chunkRowsIn >= chunkRows || this.quarantine.size >= maxQuarantineChars) return true;
    }
    return false;
  }

  private stageArray(window: FileWindow, chunkRows: number, maxQuarantineChars: number): boolean {
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
          if (this.chunkRowsIn >= chunkRows || this.quarantine.size >= maxQuarantineChars) return true;
          break;
        }
        case "closed":
          throw new JsonFileError(fileOffset, `unexpected ${describeByteAt(buf, p, window.end)} after the array's closing ']'`);
        case "lines":
          throw new Error("an NDJSON reader cannot read an array");
      }
    }
  }

  private countRecord(): void {
    this.rowsIn++;
    this.chunkRowsIn++;
  }

  /** Stages one parsed record: its bytes are [start, end) and the parser holds its values. */
  private stageRecord(buf: Buffer, start: number, end: number, ordinal: number): void {
    this.countRecord();
    this.ignoredFields += this.parser.recordIgnored;
    let hash = 0x811c9dc5;
    let bits = 0;
    for (let p = start; p < end; p++) {
      const b = buf[p] as number;
      hash = Math.imul(hash ^ b, 0x01000193);
      bits |= b;
    }
    hash >>>= 0;
    const parser = this.parser;
    const label = this.format === "array" ? `index ${ordinal}` : `line ${ordinal}`;
    if (bits >= 0x80 && !isUtf8(buf.subarray(start, end))) {
      this.rejectRaw(buf, start, end, ordinal, "encoding", `${label}: the record is not valid UTF-8`, hash);
      return;
    }
    if (parser.rootKind !== VALUE_OBJECT) {
      const noun = VALUE_NOUNS[parser.rootKind] ?? "a value";
      this.rejectRaw(buf, start, end, ordinal, "notAnObject", `${label}: the record is ${noun}, not an object`, hash);
      return;
    }
    const out = this.out;
    const tupleStart = out.pos;
    const count = this.types.length;
    out.int16(count + 1);
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
        problem = `${VALUE_NOUNS[kind]} is not ${TYPE_NOUNS[type]} (set the column's type to json to keep it)`;
      } else if (a === b) {
        // An empty JSON string is an empty text, and NULL for every other type (as an empty CSV field).
        out.int32(type === "string" ? 0 : -1);
      } else if (kind === VALUE_STRING && parser.escaped[k] === 1) {
        const text = decodeJsonString(buf, a - 1, b + 1);
        problem = LONE_SURROGATE.test(text)
          ? `${showValue(text.replace(LONE_SURROGATES, "\uFFFD"))} holds an unpaired surrogate escape (\\ud800–\\udfff), which is not a character`
          : encodeText(type, text, out);
      } else if (!(this.encoders[k] as FieldEncoder)(buf, a, b, out)) {
        problem = encodeText(type, buf.toString("utf8", a, b), out);
      }
      if (problem !== null) {
        const field = this.names[k] as string;
        (violations ??= []).push({ field, rule: "type", value: this.valueText(buf, k), message: violationMessage(field, problem) });
      }
    }
    const mismatches = parser.mismatches;
    for (let i = 0; i < mismatches.length; i += 4) {
      const path = parser.trie.paths[mismatches[i] as number] as string;
      const kind = mismatches[i + 1] as number;
      const value = this.spanText(buf, kind, mismatches[i + 2] as number, mismatches[i + 3] as number, 0);
      const inside = this.names.filter((n) => n.startsWith(`${path}.`)).slice(0, 3);
      (violations ??= []).push({
        field: path,
        rule: "type",
        value,
        message: violationMessage(path, `${VALUE_NOUNS[kind]} where an object is expected (this source reads ${inside.join(", ")}${inside.length === 3 ? ", …" : ""} from it)`),
      });
    }
    if (violations !== null) {
      out.pos = tupleStart;
      const record: [string, string | null][] = this.names.map((name, k) => [name, this.valueText(buf, k)]);
      for (let i = 0; i < mismatches.length; i += 4) {
        record.push([parser.trie.paths[mismatches[i] as number] as string, this.spanText(buf, mismatches[i + 1] as number, mismatches[i + 2] as number, mismatches[i + 3] as number, 0)]);
      }
      this.quarantine.add(this.lineageId(ordinal, hash), record, violations);
      this.rowsRejected++;
      return;
    }
    this.writeLineage(ordinal, hash);
    this.rowsOut++;
    this.sumLow += hash;
    if (this.sumLow >= TWO_POW_32) {
      this.sumLow -= TWO_POW_32;
      this.sumHigh = (this.sumHigh + 1) >>> 0;
    }
  }

  /** A column's value as text for quarantine: strings decoded, other values as written in the file. */
  private valueText(buf: Buffer, k: number): string | null {
    const p = this.parser;
    return this.spanText(buf, p.kinds[k] as number, p.starts[k] as number, p.ends[k] as number, p.escaped[k] as number);
  }

  private spanText(buf: Buffer, kind: number, start: number, end: number, escaped: number): string | null {
    if (kind === VALUE_NONE || kind === VALUE_NULL) return null;
    // jsonb cannot hold a lone surrogate: shown as U+FFFD (the violation says why the record is here).
    if (kind === VALUE_STRING && escaped === 1) return decodeJsonString(buf, start - 1, end + 1).replace(LONE_SURROGATES, "\uFFFD");
    return buf.toString("utf8", start, end);
  }

  private lineageId(ordinal: number, hash: number): string {
    return `${this.lineagePrefix}${ordinal}:${hex8(hash)}`;
  }

  /** Writes the lineage id field from bytes: no string per row. */
  private writeLineage(ordinal: number, hash: number): void {
    const out = this.out;
    let digits = 1;
    for (let n = ordinal; n >= 10; n = Math.floor(n / 10)) digits++;
    const length = this.prefix.length + digits + 9;
    out.int32(length);
    out.ensure(length);
    out.bytes(this.prefix, 0, this.prefix.length);
    const b = out.buf;
    let p = out.pos + digits;
    for (let n = ordinal, i = 0; i < digits; i++, n = Math.floor(n / 10)) b[--p] = 0x30 + (n % 10);
    p = out.pos + digits;
    b[p++] = 0x3a;
    for (let shift = 28; shift >= 0; shift -= 4) {
      const nibble = (hash >>> shift) & 0xf;
      b[p++] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble;
    }
    out.pos = p;
  }

  /** Quarantines a record that could not be read as an object, with its text as it stands in the file. */
  private rejectRaw(buf: Buffer, start: number, end: number, ordinal: number, rule: string, message: string, knownHash?: number): void {
    let hash = knownHash;
    if (hash === undefined) {
      hash = 0x811c9dc5;
      for (let p = start; p < end; p++) hash = Math.imul(hash ^ (buf[p] as number), 0x01000193);
      hash >>>= 0;
    }
    const raw = buf.toString("utf8", start, end);
    this.quarantine.add(this.lineageId(ordinal, hash), [[RAW_RECORD_KEY, raw]], [{ field: RAW_RECORD_KEY, rule, value: null, message }]);
    this.rowsRejected++;
  }

  checkpoint(byteOffset: number): TJsonCheckpoint {
    return {
      format: this.format,
      byteOffset,
      ordinal: this.ordinal,
      phase: this.phase,
      rowsIn: this.rowsIn,
      rowsOut: this.rowsOut,
      rowsRejected: this.rowsRejected,
      checksum: this.checksum(),
      ignoredFields: this.ignoredFields,
      ignoredExamples: [...this.parser.ignoredExamples],
    };
  }

  private checksum(): string {
    return hex8(this.sumHigh) + hex8(this.sumLow);
  }

  result(): TStageJsonResult {
    return {
      rowsIn: this.rowsIn,
      rowsOut: this.rowsOut,
      rowsRejected: this.rowsRejected,
      checksum: this.checksum(),
      ignoredFields: this.ignoredFields,
      ignoredExamples: [...this.parser.ignoredExamples],
    };
  }
}
