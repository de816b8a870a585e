/**
 * What the sources read as records of text values (XML, Excel) share: turning them into the
 * records stageRecords loads, the preview's sample, and finding one again for lineage.
 */
import type { Column } from "@/nodes/contract";
import { typeIsInferred } from "@/nodes/sources/file-source";
import { inferredValueProblem, valueProblem, violationMessage } from "@/nodes/values";
import type { TViolation } from "../../staging/quarantine";
import type { TTextRecord } from "../../staging/inspect-records";
import type { TRecordLoadColumn, TStagedRecord } from "../../staging/stage-records";
import type { UploadCatalogEntry } from "../../uploads-catalog";
import type { TSourceSample } from "../contract";

/** The record's text for its lineage hash, quarantine and lineage: its values as JSON, in the order the source holds them. */
export function rawOf(record: TTextRecord): string {
  return JSON.stringify(Object.fromEntries(record.values));
}

/** A source's records as stageRecords takes them, `ordinal` computing each one's lineage ordinal (it must increase). */
export async function* stagedRecords<T extends TTextRecord>(records: AsyncIterable<T>, ordinal: (record: T, index: number) => number): AsyncGenerator<TStagedRecord> {
  let index = 0;
  for await (const record of records) {
    yield { ordinal: ordinal(record, index++), values: record.values, raw: rawOf(record), problems: record.problems };
  }
}

/** The staging columns of a record source: its output, each marked exact while its type is the inferred one. */
export function recordLoadColumns(output: readonly Column[], upload: UploadCatalogEntry, overrides: Parameters<typeof typeIsInferred>[2]): TRecordLoadColumn[] {
  return output.map((c) => ({ name: c.name, type: c.type, exact: typeIsInferred(c, upload.columns, overrides) }));
}

/**
 * The preview's sample: the first `limit` records, cells in `output` order, with the reasons a
 * run would quarantine each (the record's own problems, values that do not fit their column).
 */
export async function sampleRecords<T extends TTextRecord>(
  records: AsyncIterable<T>,
  load: readonly TRecordLoadColumn[],
  limit: number,
  ordinal: (record: T, index: number) => number,
): Promise<Pick<TSourceSample, "rows" | "lines" | "rejected">> {
  const sample: Pick<TSourceSample, "rows" | "lines" | "rejected"> = { rows: [], lines: [], rejected: [] };
  let index = 0;
  for await (const record of records) {
    if (sample.rows.length >= limit) break;
    const row = load.map((c) => record.values.get(c.name) ?? null);
    const violations: TViolation[] = record.problems.map((message) => ({ field: "record", rule: "record", value: null, message }));
    if (violations.length === 0) {
      load.forEach((column, i) => {
        const value = row[i] ?? null;
        if (value === null || (value === "" && column.type !== "string")) return;
        const problem = column.exact ? inferredValueProblem(column.type, value) : valueProblem(column.type, value);
        if (problem) violations.push({ field: column.name, rule: "type", value, message: violationMessage(column.name, problem) });
      });
    }
    if (violations.length > 0) sample.rejected.push({ row: sample.rows.length, violations });
    sample.rows.push(row);
    sample.lines.push(ordinal(record, index++));
  }
  return sample;
}

/** The record at `ordinal`, or null when the source has no such record (any more). */
export async function findRecord<T extends TTextRecord>(records: AsyncIterable<T>, ordinal: number, ordinalOf: (record: T, index: number) => number): Promise<T | null> {
  let index = 0;
  for await (const record of records) {
    const at = ordinalOf(record, index++);
    if (at === ordinal) return record;
    if (at > ordinal) return null;
  }
  return null;
}
