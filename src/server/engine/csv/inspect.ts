import { isUtf8 } from "node:buffer";
import type { Column } from "@/nodes/contract";
import { inferColumnType, parseValue } from "@/nodes/values";
import { columnNamesFromHeader, generatedColumnNames } from "./column-names";
import { formatBytes, ZCsvFormat, type TCsvFormat, type TCsvFormatInput } from "./format";
import { CsvScanner } from "./scanner";
import { INSPECT_BYTES, readFileStart, SAMPLE_ROWS } from "../staging/file-start";

export { INSPECT_BYTES, SAMPLE_ROWS };

const DELIMITER_CANDIDATES = [",", ";", "\t", "|"] as const;
/** Records looked at to choose the delimiter. */
const DELIMITER_PROBE_RECORDS = 200;

export interface TCsvInspection {
  /** The format: what was given, the rest detected. */
  options: TCsvFormat;
  /** File columns in order, types inferred from the sampled rows. */
  columns: Column[];
  /**
   * The first data records (up to {@link SAMPLE_ROWS}), fields as text, empty fields null.
   * A record with the wrong number of fields is shown as it is (staging quarantines it).
   */
  sampleRows: (string | null)[][];
  /** The physical line on which each sample row starts (the header is line 1). */
  sampleLines: number[];
}

interface TRecord {
  fields: (string | null)[];
  line: number;
  /** False for a record that is not valid UTF-8 in a UTF-8 file. */
  decodable: boolean;
}

/**
 * Reads the first {@link INSPECT_BYTES} of a CSV file and tells its format, columns and
 * types, with a preview. Options not given are detected: the line break (CR alone when it
 * ends more lines than LF does), the delimiter (`,` `;` tab `|`, whichever splits
 * the records most consistently into more than one field) and whether the first record is
 * a header (it is, unless every value in it fits the type inferred for its column).
 */
export async function inspectCsv(filePath: string, given: Partial<TCsvFormatInput> = {}): Promise<TCsvInspection> {
  const { bytes, eof } = await readFileStart(filePath);
  const lineBreak = given.lineBreak ?? detectLineBreak(bytes);
  // Without the end of the file, the last record may be cut: look only up to the last line break.
  const complete = eof ? bytes : bytes.subarray(0, bytes.lastIndexOf(lineBreak === "cr" ? 0x0d : 0x0a) + 1);
  const bom = complete.length >= 3 && complete[0] === 0xef && complete[1] === 0xbb && complete[2] === 0xbf;
  // Never guessed from the bytes: one stray byte must not turn every "é" of a UTF-8 file into
  // "Ã©". Records that are not UTF-8 are quarantined saying so, and Latin-1 is chosen by the user.
  const encoding = given.encoding ?? "utf-8";
  const body = encoding === "utf-8" && bom ? complete.subarray(3) : complete;
  const quote = given.quote ?? '"';
  const delimiter = given.delimiter ?? detectDelimiter(body, quote, lineBreak, eof);
  const partial = ZCsvFormat.parse({ delimiter, quote, encoding, lineBreak, header: given.header ?? true });
  const records = readRecords(body, partial, eof);
  const header = given.header ?? looksLikeHeader(records);
  const options: TCsvFormat = { ...partial, header };

  const first = records[0];
  const data = header ? records.slice(1) : records;
  let names: string[];
  if (header && first) names = columnNamesFromHeader(first.fields);
  else names = generatedColumnNames(modalFieldCount(records));
  const fitting = data.filter((r) => r.decodable && r.fields.length === names.length);
  const columns = names.map((name, j) => ({ name, type: inferColumnType(fitting.map((r) => r.fields[j] ?? null)) }));
  const preview = data.slice(0, SAMPLE_ROWS);
  return { options, columns, sampleRows: preview.map((r) => r.fields), sampleLines: preview.map((r) => r.line) };
}

function readRecords(body: Buffer, format: TCsvFormat, eof: boolean, limit = Infinity): TRecord[] {
  const { delimiter, quote, lineBreak } = formatBytes(format);
  const scanner = new CsvScanner(delimiter, quote, lineBreak);
  const encoding = format.encoding === "latin1" ? "latin1" : "utf8";
  const records: TRecord[] = [];
  let pos = 0;
  let line = 1;
  while (pos < body.length && records.length < limit && scanner.scan(body, pos, body.length, eof)) {
    const recordLine = line;
    line += scanner.newlines;
    pos = scanner.next;
    if (scanner.recordEnd === scanner.recordStart && scanner.fieldCount === 1) continue; // blank line
    const fields: (string | null)[] = [];
    for (let i = 0; i < scanner.fieldCount; i++) {
      const start = scanner.starts[i] as number;
      const end = scanner.ends[i] as number;
      fields.push(start === end ? null : scanner.source(i, body).toString(encoding, start, end));
    }
    const decodable = encoding === "latin1" || isUtf8(body.subarray(scanner.recordStart, scanner.recordEnd));
    records.push({ fields, line: recordLine, decodable });
  }
  return records;
}

/** CR alone when it ends more lines than LF does (an LF may still occur inside a quoted value). */
function detectLineBreak(bytes: Buffer): TCsvFormat["lineBreak"] {
  let bareCr = 0;
  let lf = 0;
  for (let i = bytes.indexOf(0x0d); i >= 0; i = bytes.indexOf(0x0d, i + 1)) if (bytes[i + 1] !== 0x0a) bareCr++;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) lf++;
  return bareCr > lf ? "cr" : "lf";
}

function modalFieldCount(records: readonly TRecord[]): number {
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.fields.length, (counts.get(r.fields.length) ?? 0) + 1);
  let best = 0;
  let bestFrequency = 0;
  for (const [count, frequency] of counts) {
    if (frequency > bestFrequency || (frequency === bestFrequency && count > best)) {
      best = count;
      bestFrequency = frequency;
    }
  }
  return best;
}

function detectDelimiter(body: Buffer, quote: string, lineBreak: TCsvFormat["lineBreak"], eof: boolean): string {
  let best: string = DELIMITER_CANDIDATES[0];
  let bestConsistency = -1;
  let bestFields = -1;
  for (const candidate of DELIMITER_CANDIDATES) {
    if (candidate === quote) continue;
    const format = ZCsvFormat.parse({ delimiter: candidate, quote, lineBreak });
    const records = readRecords(body, format, eof, DELIMITER_PROBE_RECORDS);
    const fields = modalFieldCount(records);
    if (fields < 2) continue;
    const consistency = records.filter((r) => r.fields.length === fields).length / records.length;
    if (consistency > bestConsistency || (consistency === bestConsistency && fields > bestFields)) {
      best = candidate;
      bestConsistency = consistency;
      bestFields = fields;
    }
  }
  return best;
}

/**
 * A first record is data when each of its values fits the type inferred from the records
 * below it, and some column has a type other than string (a header of names would not
 * fit a number or date column). With only text columns nothing tells, and a header is
 * the common case.
 */
function looksLikeHeader(records: readonly TRecord[]): boolean {
  const [first, ...rest] = records;
  if (!first) return true;
  const rows = rest.filter((r) => r.decodable && r.fields.length === first.fields.length);
  if (rows.length === 0) return true;
  let typed = false;
  for (let j = 0; j < first.fields.length; j++) {
    const type = inferColumnType(rows.map((r) => r.fields[j] ?? null));
    if (type === "string") continue;
    typed = true;
    if (!parseValue(type, first.fields[j] ?? null).ok) return true;
  }
  return !typed;
}
