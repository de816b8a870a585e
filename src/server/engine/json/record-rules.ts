/**
 * The rules a JSON source applies to each record, and their messages, for the stager (what
 * a run loads or quarantines) and the preview sample (what the editor shows a run would
 * do): both read records with the same parser, so they meet the same cases.
 */
import { isUtf8 } from "node:buffer";
import type { TColumnType } from "@/nodes/contract";
import type { TJsonFormat } from "@/nodes/sources/json";
import { showValue, TYPE_NOUNS, violationMessage } from "@/nodes/values";
import type { TViolation } from "../staging/quarantine";
import { describeByteAt, PARSE_ERROR, skipWhitespace, VALUE_NOUNS, VALUE_OBJECT, type JsonRecordParser } from "./scanner";

const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/** How messages name a record: by its array index or NDJSON line. */
export function recordLabel(format: TJsonFormat, ordinal: number): string {
  return format === "array" ? `index ${ordinal}` : `line ${ordinal}`;
}

/**
 * Why the NDJSON line [start, end) is not one JSON value, or null when it is. `valueEnd` is
 * what `parser.parse` returned on the line.
 */
export function ndjsonLineProblem(parser: JsonRecordParser, buf: Buffer, start: number, end: number, valueEnd: number, line: number): string | null {
  const rest = valueEnd >= 0 ? skipWhitespace(buf, valueEnd, end) : end;
  if (valueEnd !== PARSE_ERROR && rest >= end) return null;
  const problem = valueEnd === PARSE_ERROR ? parser.error : `unexpected ${describeByteAt(buf, rest, end)} after the value`;
  const column = buf.toString("utf8", start, valueEnd === PARSE_ERROR ? parser.errorAt : rest).length + 1;
  return `line ${line}: not valid JSON (${problem}, column ${column})`;
}

/**
 * Why the parsed record [start, end) cannot be loaded at all (its bytes are not UTF-8, or
 * it is not an object), or null. `ascii`: its bytes are known to be ASCII, so UTF-8.
 */
export function recordProblem(parser: JsonRecordParser, buf: Buffer, start: number, end: number, label: string, ascii: boolean): { rule: string; message: string } | null {
  if (!ascii && !isUtf8(buf.subarray(start, end))) return { rule: "encoding", message: `${label}: the record is not valid UTF-8` };
  if (parser.rootKind !== VALUE_OBJECT) return { rule: "notAnObject", message: `${label}: the record is ${VALUE_NOUNS[parser.rootKind] ?? "a value"}, not an object` };
  return null;
}

/** Why an object or array (`kind`) cannot load into a column of `type` other than json. */
export function containerProblem(kind: number, type: TColumnType): string {
  return `${VALUE_NOUNS[kind]} is not ${TYPE_NOUNS[type]} (set the column's type to json to keep it)`;
}

/** A decoded string as it can be stored and shown: unpaired surrogates (which jsonb cannot hold) as U+FFFD. */
export function storableText(text: string): string {
  return text.replace(LONE_SURROGATES, "\uFFFD");
}

/** Why a decoded string is not text (it holds an unpaired surrogate escape), or null. */
export function loneSurrogateProblem(text: string): string | null {
  if (!LONE_SURROGATE.test(text)) return null;
  return `${showValue(storableText(text))} holds an unpaired surrogate escape (\\ud800–\\udfff), which is not a character`;
}

/**
 * The parser's mismatches of the record: a value met where the columns (`names`) expect an
 * object to read fields from. One violation each, its value the text as the file has it.
 */
export function mismatchViolations(parser: JsonRecordParser, buf: Buffer, names: readonly string[]): TViolation[] {
  const violations: TViolation[] = [];
  const mismatches = parser.mismatches;
  for (let i = 0; i < mismatches.length; i += 4) {
    const path = parser.trie.paths[mismatches[i] as number] as string;
    const kind = mismatches[i + 1] as number;
    const inside = names.filter((n) => n.startsWith(`${path}.`)).slice(0, 3);
    violations.push({
      field: path,
      rule: "type",
      value: buf.toString("utf8", mismatches[i + 2] as number, mismatches[i + 3] as number),
      message: violationMessage(path, `${VALUE_NOUNS[kind]} where an object is expected (this source reads ${inside.join(", ")}${inside.length === 3 ? ", …" : ""} from it)`),
    });
  }
  return violations;
}
