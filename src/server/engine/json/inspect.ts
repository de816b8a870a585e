import { RESERVED_COLUMN_PREFIX, type Column, type TColumnType } from "@/nodes/contract";
import type { TJsonFormat } from "@/nodes/sources/json";
import { identifierProblem } from "@/nodes/sql";
import { inferColumnType } from "@/nodes/values";
import { textPosition } from "./position";
import {
  decodeJsonString,
  describeByteAt,
  JsonRecordParser,
  PARSE_ERROR,
  PARSE_INCOMPLETE,
  PathTrie,
  skipWhitespace,
  VALUE_ARRAY,
  VALUE_NONE,
  VALUE_NULL,
  VALUE_OBJECT,
  VALUE_STRING,
} from "./scanner";
import { INSPECT_BYTES, readFileStart } from "../staging/file-start";

export { INSPECT_BYTES };

/** PostgreSQL's limit of columns per table. */
export const MAX_COLUMNS = 1600;

export interface TJsonInspection {
  format: TJsonFormat;
  /**
   * Every path of the sampled records, flattened, in first-seen order, types inferred. A
   * path where an object was seen is listed as a json column before the paths inside it
   * (`jsonSourceColumns` in `@/nodes/sources/json` turns this into a source's columns).
   */
  columns: Column[];
  /** Objects sampled. */
  sampledRecords: number;
}

/** The file is not something a JSON source can read; the message says why. */
export class JsonInspectionError extends Error {}

const BOM = [0xef, 0xbb, 0xbf];

/** Where the JSON starts: after a UTF-8 byte order mark, if any. */
export function bodyStart(bytes: Uint8Array): number {
  return bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? 3 : 0;
}

/**
 * Reads the first {@link INSPECT_BYTES} of a JSON file: tells an array (`[` first) from
 * NDJSON (`{` first), and infers the columns (paths) and their types from the records
 * there, with the value formats of `@/nodes/values` applied to each value's text. Throws
 * {@link JsonInspectionError} for an empty file, a file that is not JSON, or a sample
 * with no record that parses.
 */
export async function inspectJson(filePath: string): Promise<TJsonInspection> {
  const { bytes, eof } = await readFileStart(filePath);
  const start = skipWhitespace(bytes, bodyStart(bytes), bytes.length);
  if (start >= bytes.length) throw new JsonInspectionError("the file holds no JSON: it is empty or only whitespace");
  const first = bytes[start];
  if ((first !== 0x5b && first !== 0x7b) || bytes.includes(0)) {
    throw new JsonInspectionError(
      `the file does not look like JSON (it starts with ${describeByteAt(bytes, start, bytes.length)}${bytes.includes(0) ? " and holds NUL bytes" : ""}): ` +
        "a JSON source reads an array of objects ([{…}, {…}]) or NDJSON (one object per line)",
    );
  }
  const format: TJsonFormat = first === 0x5b ? "array" : "ndjson";
  const trie = new PathTrie();
  const parser = new JsonRecordParser(trie, 0, { discover: { flatten: true, maxNodes: MAX_COLUMNS + 1 } });
  const samples: (string | null)[][] = [];
  const sawJson: boolean[] = [];
  let sampled = 0;
  const collect = (buf: Buffer) => {
    if (parser.rootKind !== VALUE_OBJECT) return;
    sampled++;
    for (let k = 0; k < trie.size - 1; k++) {
      const kind = parser.kinds[k] ?? VALUE_NONE;
      if (kind === VALUE_NONE) continue;
      const list = (samples[k] ??= []);
      if (kind === VALUE_OBJECT || kind === VALUE_ARRAY) sawJson[k] = true;
      else if (kind === VALUE_NULL) list.push(null);
      else {
        const a = parser.starts[k] as number;
        const b = parser.ends[k] as number;
        list.push(kind === VALUE_STRING && parser.escaped[k] === 1 ? decodeJsonString(buf, a - 1, b + 1) : buf.toString("utf8", a, b));
      }
    }
  };
  const where = (at: number) => {
    const { line, column } = textPosition(bytes, bodyStart(bytes), at);
    return `line ${line}, column ${column}`;
  };

  if (format === "array") {
    let p = start + 1;
    let elements = 0;
    let expectValue = true;
    for (;;) {
      p = skipWhitespace(bytes, p, bytes.length);
      if (p >= bytes.length) {
        if (eof) throw new JsonInspectionError(`the file is not valid JSON: it ends inside the array (${where(p)}); it may be cut off`);
        break;
      }
      if (bytes[p] === 0x5d && (!expectValue || elements === 0)) break;
      if (!expectValue) {
        if (bytes[p] !== 0x2c) throw new JsonInspectionError(`the file is not valid JSON: expected ',' or ']' at ${where(p)} but found ${describeByteAt(bytes, p, bytes.length)}`);
        p++;
        expectValue = true;
        continue;
      }
      const end = parser.parse(bytes, p, bytes.length, eof);
      if (end === PARSE_INCOMPLETE) break;
      if (end === PARSE_ERROR) {
        throw new JsonInspectionError(
          parser.errorAt >= bytes.length
            ? `the file is not valid JSON: it ends inside the array (${where(parser.errorAt)}); it may be cut off`
            : `the file is not valid JSON: ${parser.error} at ${where(parser.errorAt)}`,
        );
      }
      collect(bytes);
      elements++;
      p = end;
      expectValue = false;
    }
  } else {
    let p = start;
    let line = textPosition(bytes, bodyStart(bytes), start).line;
    let firstError: string | null = null;
    while (p < bytes.length) {
      let newline = bytes.indexOf(0x0a, p);
      if (newline < 0) {
        if (!eof) break;
        newline = bytes.length;
      }
      const end = parser.parse(bytes, p, newline, true);
      const rest = end >= 0 ? skipWhitespace(bytes, end, newline) : newline;
      if (end >= 0 && rest === newline) collect(bytes);
      else if (skipWhitespace(bytes, p, newline) < newline && firstError === null) {
        firstError = end >= 0 ? `line ${line}: unexpected ${describeByteAt(bytes, rest, newline)} after the value` : `line ${line}: ${parser.error}`;
      }
      p = newline + 1;
      line++;
    }
    if (sampled === 0 && firstError !== null) {
      throw new JsonInspectionError(
        `no line of the file's start is a JSON object (${firstError}). NDJSON holds one whole object per line; ` +
          "a file holding one object spread over several lines is not a list of records: put the records in an array ([{…}, {…}])",
      );
    }
  }

  const columns: Column[] = [];
  for (let node = 1; node < trie.size && columns.length < MAX_COLUMNS; node++) {
    const name = trie.paths[node] as string;
    if (identifierProblem(name) !== null || name.startsWith(RESERVED_COLUMN_PREFIX)) continue;
    const k = node - 1;
    const type: TColumnType = trie.sawObject[node] || sawJson[k] ? "json" : inferColumnType(samples[k] ?? []);
    columns.push({ name, type });
  }
  return { format, columns, sampledRecords: sampled };
}
