/**
 * The sample of a JSON source for the editor's preview: its first records, read from the
 * file's first megabyte with the run's own byte scanner (so a path, a nested object, an
 * escape or a repeated key lands in the same column as in a run), each cell as the text a
 * run would load, and every reason a run would quarantine a record at the source.
 */
import type { Column } from "@/nodes/contract";
import type { TJsonFormat } from "@/nodes/sources/json";
import { valueProblem, violationMessage } from "@/nodes/values";
import { RAW_RECORD_KEY, type TViolation } from "../staging/quarantine";
import { bodyStart } from "./inspect";
import { textPosition } from "./position";
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
  VALUE_OBJECT,
  VALUE_STRING,
} from "./scanner";
import { INSPECT_BYTES, readFileStart } from "../staging/file-start";

export interface TJsonSample {
  /** Per record: the columns' values as text (NULL as null), in column order. */
  rows: (string | null)[][];
  /** Per record: its lineage ordinal, the array index (0-based) or NDJSON line (1-based). */
  ordinals: number[];
  /** Records a run quarantines at the source, with every reason (by index in `rows`). */
  rejected: { row: number; violations: TViolation[] }[];
  /** The first record does not end within the bytes read. */
  firstRecordTooLong: boolean;
}

/** The file cannot be previewed as it is set up; a run would fail the same way. The message says why. */
export class JsonSampleError extends Error {}

interface SampleArgs {
  format: TJsonFormat;
  /** Column names are dotted paths when true, top-level keys when false. */
  flatten: boolean;
  /** The source's output columns (what a run loads). */
  columns: readonly Column[];
  /** Most records to read. */
  limit: number;
}

/** Reads the first `limit` records of a JSON file (never more than its first megabyte). */
export async function sampleJsonFile(filePath: string, args: SampleArgs): Promise<TJsonSample> {
  const { bytes, eof } = await readFileStart(filePath);
  const reader = new SampleReader(bytes, args);
  const body = bodyStart(bytes);
  const start = skipWhitespace(bytes, body, bytes.length);
  if (start >= bytes.length) throw new JsonSampleError(bytes.length === 0 ? "the file is empty" : "the file holds only whitespace, no JSON records");
  const where = (at: number) => {
    const { line, column } = textPosition(bytes, body, at);
    return `line ${line}, column ${column}`;
  };

  if (args.format === "ndjson") {
    if (bytes[start] === 0x5b) throw new JsonSampleError("the file starts with '[': it is one JSON array, not NDJSON. Set the format to array (or leave it unset)");
    let p = body;
    for (let line = 1; p < bytes.length && reader.rows.length < args.limit; line++) {
      let newline = bytes.indexOf(0x0a, p);
      if (newline < 0) {
        // The last line read is cut off by the sample's end unless the file ends there.
        if (!eof) break;
        newline = bytes.length;
      }
      let end = newline;
      if (end > p && bytes[end - 1] === 0x0d) end--;
      if (skipWhitespace(bytes, p, end) < end) reader.line(p, end, line);
      p = newline + 1;
    }
  } else {
    if (bytes[start] !== 0x5b) throw new JsonSampleError(`expected '[' (a JSON array) but found ${describeByteAt(bytes, start, bytes.length)}: set the format to ndjson if the file holds one object per line`);
    let p = start + 1;
    let expectValue = true;
    let index = 0;
    while (reader.rows.length < args.limit) {
      p = skipWhitespace(bytes, p, bytes.length);
      if (p >= bytes.length) {
        if (eof) throw new JsonSampleError(`the file ends inside the array (${where(p)}): it is cut off (upload the whole file)`);
        break;
      }
      if (bytes[p] === 0x5d && (!expectValue || index === 0)) break;
      if (!expectValue) {
        if (bytes[p] !== 0x2c) throw new JsonSampleError(`expected ',' or ']' after the record at index ${index - 1} but found ${describeByteAt(bytes, p, bytes.length)} (${where(p)})`);
        p++;
        expectValue = true;
        continue;
      }
      const end = reader.parser.parse(bytes, p, bytes.length, eof);
      if (end === PARSE_INCOMPLETE) break;
      if (end === PARSE_ERROR) {
        const at = reader.parser.errorAt;
        throw new JsonSampleError(
          at >= bytes.length
            ? `the file ends inside the record at index ${index}: it is cut off (upload the whole file)`
            : `${reader.parser.error} in the record at index ${index} (${where(at)})`,
        );
      }
      reader.record(p, end, index);
      index++;
      p = end;
      expectValue = false;
    }
  }
  return { rows: reader.rows, ordinals: reader.ordinals, rejected: reader.rejected, firstRecordTooLong: reader.rows.length === 0 && !eof && bytes.length >= INSPECT_BYTES };
}

/** Turns parsed records into preview rows, with the checks and messages of the JSON stager. */
class SampleReader {
  readonly parser: JsonRecordParser;
  readonly rows: (string | null)[][] = [];
  readonly ordinals: number[] = [];
  readonly rejected: TJsonSample["rejected"] = [];
  private readonly columns: readonly Column[];

  constructor(
    private readonly bytes: Buffer,
    private readonly args: SampleArgs,
  ) {
    this.columns = args.columns;
    const names = args.columns.map((c) => c.name);
    this.parser = new JsonRecordParser(columnTrie(names, args.flatten), names.length, {
      jsonColumns: Uint8Array.from(args.columns.map((c) => (c.type === "json" ? 1 : 0))),
    });
  }

  /** An NDJSON line [start, end) that is not blank. */
  line(start: number, end: number, line: number): void {
    const bytes = this.bytes;
    const valueEnd = this.parser.parse(bytes, start, end, true);
    const problem = ndjsonLineProblem(this.parser, bytes, start, end, valueEnd, line);
    if (problem !== null) {
      this.rejectRecord(line, "json", problem);
      return;
    }
    this.record(skipWhitespace(bytes, start, end), valueEnd, line);
  }

  /** A record whose bytes are [start, end); the parser holds its values. */
  record(start: number, end: number, ordinal: number): void {
    const { bytes, parser } = this;
    const unloadable = recordProblem(parser, bytes, start, end, recordLabel(this.args.format, ordinal), false);
    if (unloadable !== null) {
      this.rejectRecord(ordinal, unloadable.rule, unloadable.message);
      return;
    }
    const violations: TViolation[] = [];
    const row = this.columns.map((column, k) => {
      const kind = parser.kinds[k] as number;
      if (kind === VALUE_NONE || kind === VALUE_NULL) return null;
      const a = parser.starts[k] as number;
      const b = parser.ends[k] as number;
      const fail = (text: string, problem: string) => {
        violations.push({ field: column.name, rule: "type", value: text, message: violationMessage(column.name, problem) });
        return text;
      };
      if (column.type === "json") {
        // The value's JSON text (a string with its quotes), as a run stores it in jsonb.
        const text = kind === VALUE_STRING ? bytes.toString("utf8", a - 1, b + 1) : bytes.toString("utf8", a, b);
        const problem = valueProblem("json", text);
        return problem ? fail(text, problem) : text;
      }
      if (kind === VALUE_OBJECT || kind === VALUE_ARRAY) {
        return fail(bytes.toString("utf8", a, b), containerProblem(kind, column.type));
      }
      // An empty JSON string is an empty text, and NULL for every other type (as a run loads it).
      if (a === b) return column.type === "string" ? "" : null;
      const text = kind === VALUE_STRING && parser.escaped[k] === 1 ? decodeJsonString(bytes, a - 1, b + 1) : bytes.toString("utf8", a, b);
      const surrogate = loneSurrogateProblem(text);
      if (surrogate !== null) return fail(storableText(text), surrogate);
      const problem = valueProblem(column.type, text);
      return problem ? fail(text, problem) : text;
    });
    violations.push(...mismatchViolations(parser, bytes, this.columns.map((c) => c.name)));
    this.push(row, ordinal, violations);
  }

  private rejectRecord(ordinal: number, rule: string, message: string): void {
    this.push(
      this.columns.map(() => null),
      ordinal,
      [{ field: RAW_RECORD_KEY, rule, value: null, message }],
    );
  }

  private push(row: (string | null)[], ordinal: number, violations: TViolation[]): void {
    if (violations.length > 0) this.rejected.push({ row: this.rows.length, violations });
    this.rows.push(row);
    this.ordinals.push(ordinal);
  }
}
