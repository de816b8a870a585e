/**
 * Inspection for sources read as records of text values (XML, Excel): columns in the order
 * first met, types inferred from the sample with the CSV rules (values never changed).
 */
import type { Column } from "@/nodes/contract";
import { inferColumnType } from "@/nodes/values";
import { SAMPLE_ROWS } from "./file-start";

/**
 * Records a source that counts rows, not bytes (Excel), inspects: the rows of a sheet's
 * start are read out of a zip, so a byte budget would mean nothing.
 */
export const INSPECT_ROWS = 5000;

/** A record as the record readers yield it. */
export interface TTextRecord {
  line: number;
  values: ReadonlyMap<string, string | null>;
  problems: string[];
}

export interface TRecordsInspection {
  columns: Column[];
  /** The first records (up to {@link SAMPLE_ROWS}), cells in `columns` order. */
  sampleRows: (string | null)[][];
  /** Each sample record's lineage ordinal (its line, or row number). */
  sampleLines: number[];
  /** Reasons the sample records would be quarantined, by index in `sampleRows` (records without any left out). */
  sampleProblems: { row: number; problems: string[] }[];
}

/**
 * Inspects the records the iterator yields until `enough()` says the sample is large
 * enough (it is asked after each record), or the records end. Records with problems are
 * shown but count toward neither the columns nor their types: a run quarantines them.
 */
export async function inspectRecords(records: AsyncIterable<TTextRecord>, enough: () => boolean): Promise<TRecordsInspection> {
  const samples = new Map<string, (string | null)[]>();
  const seen: TTextRecord[] = [];
  for await (const record of records) {
    seen.push(record);
    // A record a run quarantines names no columns (a cell past the header's last one would otherwise become one).
    if (record.problems.length === 0) for (const name of record.values.keys()) if (!samples.has(name)) samples.set(name, []);
    if (enough()) break;
  }
  for (const record of seen) {
    if (record.problems.length > 0) continue;
    for (const [name, values] of samples) values.push(record.values.get(name) ?? null);
  }
  const columns = [...samples].map(([name, values]) => ({ name, type: inferColumnType(values) }));
  const preview = seen.slice(0, SAMPLE_ROWS);
  return {
    columns,
    sampleRows: preview.map((r) => columns.map((c) => r.values.get(c.name) ?? null)),
    sampleLines: preview.map((r) => r.line),
    sampleProblems: preview.flatMap((r, row) => (r.problems.length > 0 ? [{ row, problems: r.problems }] : [])),
  };
}
