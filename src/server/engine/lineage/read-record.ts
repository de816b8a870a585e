import { open } from "node:fs/promises";
import { FileWindow } from "../staging/file-window";
import { formatBytes, type TCsvFormat } from "../csv/format";
import { CsvScanner } from "../csv/scanner";

export interface SourceRecord {
  /** Field values by column name ("" for an empty field). */
  fields: Record<string, string>;
  /** The record's text as it stands in the file (line breaks inside quotes included). */
  raw: string;
}

/**
 * Reads back the record that starts on a physical line of a CSV file, for lineage.
 * Scans from the start (lineage lookups are rare; the run's hot path keeps no offsets).
 */
export async function readCsvRecordAtLine(
  filePath: string,
  format: TCsvFormat,
  columns: readonly string[],
  line: number,
): Promise<SourceRecord | null> {
  const { delimiter, quote, lineBreak } = formatBytes(format);
  const encoding = format.encoding === "latin1" ? "latin1" : "utf8";
  const scanner = new CsvScanner(delimiter, quote, lineBreak);
  const file = await open(filePath, "r");
  try {
    const window = new FileWindow(file, 0);
    await window.fill(false);
    if (encoding === "utf8" && window.buf[0] === 0xef && window.buf[1] === 0xbb && window.buf[2] === 0xbf) window.pos = 3;
    let current = 1;
    for (;;) {
      if (window.pos < window.end && scanner.scan(window.buf, window.pos, window.end, window.eof)) {
        if (current === line) {
          const fields: Record<string, string> = {};
          for (let i = 0; i < scanner.fieldCount; i++) {
            const name = columns[i] ?? `column_${i + 1}`;
            fields[name] = scanner.source(i, window.buf).toString(encoding, scanner.starts[i], scanner.ends[i]);
          }
          return { fields, raw: window.buf.toString(encoding, scanner.recordStart, scanner.recordEnd) };
        }
        current += scanner.newlines;
        window.pos = scanner.next;
        if (current > line) return null;
        continue;
      }
      if (window.eof) return null;
      await window.fill(window.pos < window.end);
    }
  } finally {
    await file.close();
  }
}
