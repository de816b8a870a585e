import { open } from "node:fs/promises";
import type { TJsonFormat } from "@/nodes/sources/json";
import { FileWindow } from "../staging/file-window";
import { bodyStart } from "./inspect";
import { JsonRecordParser, PARSE_INCOMPLETE, PathTrie, skipWhitespace } from "./scanner";

export interface TJsonSourceRecord {
  /** The record's text as it stands in the file. */
  raw: string;
  /** The parsed record, or null when the text is not JSON (an NDJSON line that was quarantined). */
  value: unknown;
}

/**
 * Reads back one record of a JSON file for lineage: the array element at a 0-based index,
 * or the NDJSON record on a 1-based line. Scans from the start (lineage lookups are rare;
 * the run's hot path keeps no offsets). Null when there is no such record.
 */
export async function readJsonRecord(filePath: string, format: TJsonFormat, ordinal: number): Promise<TJsonSourceRecord | null> {
  const file = await open(filePath, "r");
  try {
    const window = new FileWindow(file, 0);
    await window.fill(false);
    window.pos = bodyStart(window.buf.subarray(0, window.end));
    return format === "array" ? await readElement(window, ordinal) : await readLine(window, ordinal);
  } finally {
    await file.close();
  }
}

function recordOf(raw: string): TJsonSourceRecord {
  try {
    return { raw, value: JSON.parse(raw) };
  } catch {
    return { raw, value: null };
  }
}

async function readLine(window: FileWindow, wanted: number): Promise<TJsonSourceRecord | null> {
  let line = 1;
  for (;;) {
    const newline = window.buf.indexOf(0x0a, window.pos);
    const complete = newline >= 0 && newline < window.end;
    if (!complete && !window.eof) {
      await window.fill(window.pos < window.end);
      continue;
    }
    const end = complete ? newline : window.end;
    if (line === wanted) {
      const raw = window.buf.toString("utf8", window.pos, end).replace(/\r$/, "").trim();
      return raw === "" ? null : recordOf(raw);
    }
    if (!complete) return null;
    window.pos = newline + 1;
    line++;
  }
}

async function readElement(window: FileWindow, wanted: number): Promise<TJsonSourceRecord | null> {
  const parser = new JsonRecordParser(new PathTrie(), 0);
  let index = 0;
  let opened = false;
  for (;;) {
    const p = skipWhitespace(window.buf, window.pos, window.end);
    window.pos = p;
    if (p >= window.end) {
      if (window.eof) return null;
      await window.fill(false);
      continue;
    }
    const c = window.buf[p];
    if (!opened) {
      if (c !== 0x5b) return null;
      opened = true;
      window.pos = p + 1;
      continue;
    }
    if (c === 0x5d) return null;
    if (c === 0x2c) {
      window.pos = p + 1;
      continue;
    }
    const end = parser.parse(window.buf, p, window.end, window.eof);
    if (end === PARSE_INCOMPLETE) {
      await window.fill(true);
      continue;
    }
    if (end < 0) return null;
    if (index === wanted) return recordOf(window.buf.toString("utf8", p, end));
    window.pos = end;
    index++;
  }
}
