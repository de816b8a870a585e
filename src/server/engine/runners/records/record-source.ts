/**
 * What the sources read as records of text values (XML, Excel) share: staging an uploaded
 * file's records (recordFileStage), turning them into the records stageRecords loads, the
 * preview's sample, and finding one again for lineage.
 */
import type { Column, TColumnType, TUploadOptions } from "@/nodes/contract";
import { typeIsInferred } from "@/nodes/sources/file-source";
import { inferredValueProblem, valueProblem, violationMessage } from "@/nodes/values";
import { sourceFile, type NodeJob, type TSourceStaging } from "../../node-job";
import type { TViolation } from "../../staging/quarantine";
import type { TTextRecord } from "../../staging/inspect-records";
import { stageRecords, ZRecordsCheckpoint, type TRecordLoadColumn, type TRecordsCheckpoint, type TStagedRecord, type TStageRecordsResult } from "../../staging/stage-records";
import type { UploadCatalogEntry } from "../../uploads-catalog";
import type { TSourceSample } from "../contract";

/** The settings every file source of records has. */
interface TRecordFileConfig {
  file: string;
  columns?: Readonly<Record<string, TColumnType>>;
}

/** How one file source reads its upload as records: all recordFileStage needs of it. */
export interface TRecordFileReader<TConfig extends TRecordFileConfig, TRecord extends TTextRecord> {
  /** The node's `uploadOptions`: the settings its upload is inspected with. */
  uploadOptions?: (config: TConfig) => TUploadOptions | undefined;
  /**
   * Called before anything is staged, so a setting the upload cannot satisfy fails the node
   * at once: `read` reads the file from its start, `what` names what it holds for the log
   * ("rows of sheet \"Data\"").
   */
  open: (config: TConfig, upload: UploadCatalogEntry) => { read: (filePath: string) => AsyncIterable<TRecord>; what: string };
  /** A record's lineage ordinal (it must increase). */
  ordinalOf: (record: TRecord, index: number) => number;
}

/** A file source's `stage`: its upload's records streamed into staging by stageRecords, resumable after the last committed chunk. */
export function recordFileStage<TConfig extends TRecordFileConfig, TRecord extends TTextRecord>(
  reader: TRecordFileReader<TConfig, TRecord>,
): (job: NodeJob, config: TConfig) => TSourceStaging<TRecordsCheckpoint, TStageRecordsResult> {
  return (job, config) => {
    const file = sourceFile(job, config.file, reader.uploadOptions?.(config));
    const { read, what } = reader.open(config, file.upload);
    const load = recordLoadColumns(job.node.output, file.upload, config.columns);
    return {
      load,
      resumable: (stored) => {
        const parsed = ZRecordsCheckpoint.safeParse(stored);
        return parsed.success ? parsed.data : null;
      },
      // A resumed run reads the file from its start again: stageRecords skips the records committed before.
      stage: (staging) => stageRecords({ ...staging, load, records: () => stagedRecords(read(file.path), reader.ordinalOf) }),
      complete: (result) => ({
        rowsIn: result.rowsIn,
        rowsOut: result.rowsOut,
        rowsRejected: result.rowsRejected,
        checksum: result.checksum,
        logs: [`read ${result.rowsIn} ${what}; ${result.rowsOut} staged, ${result.rowsRejected} quarantined`],
      }),
    };
  };
}

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
