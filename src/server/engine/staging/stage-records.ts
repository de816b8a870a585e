/**
 * Staging for sources that produce records rather than bytes a file window can scan (XML,
 * spreadsheets, Parquet, API pages, queues): the source yields each record's values as
 * text, and this stager checks them against their columns' types, writes the good rows as
 * binary COPY with their lineage ids and quarantines the rest, in chunks of one
 * transaction each that save a checkpoint, as the file stagers do. A source that cannot be
 * read again keeps each record's raw text for lineage ({@link readKeptRecord}).
 */
import type pg from "pg";
import { z } from "zod";
import type { Column } from "@/nodes/contract";
import { sql, type Sql } from "@/nodes/sql";
import { violationMessage } from "@/nodes/values";
import { query, relationExists } from "../../db/query";
import { encodeText, writeNull } from "./binary-copy";
import { fnv1a } from "./fnv1a";
import type { TViolation } from "./quarantine";
import { RecordStager, ZStagedCounts } from "./record-stager";
import { requireUtf8Database, stageInChunks, type TStagingRun } from "./run";

/** One record a source yields. */
export interface TStagedRecord {
  /** Its lineage ordinal (a line, an index, a sequence number): a non-negative integer, increasing through the run. */
  ordinal: number;
  /** Values by load column name, as the text the source holds (a json column: the JSON text); missing or null = NULL. */
  values: ReadonlyMap<string, string | null> | Readonly<Record<string, string | null>>;
  /** The record as the source holds it: hashed into its lineage id, quarantined or kept as it stands. */
  raw: string;
  /** Why the record cannot be loaded as it stands (e.g. a column met twice): it goes to quarantine with these. */
  problems?: readonly string[];
  /** Where the record stands, kept with it when the source keeps raw records (e.g. { page: 3, index: 17, request: "https://…" }). */
  where?: Readonly<Record<string, number | string>>;
}

export interface TRecordLoadColumn extends Column {
  /** The type was inferred from a sample: a value that would not keep its exact text is refused (see inferredValueProblem). */
  exact?: boolean;
}

export const ZRecordsCheckpoint = ZStagedCounts.extend({
  /** The ordinal of the last record committed; null before the first. */
  lastOrdinal: z.number().int().nonnegative().nullable(),
});
export type TRecordsCheckpoint = z.infer<typeof ZRecordsCheckpoint>;

export interface TStageRecordsArgs extends TStagingRun<TRecordsCheckpoint> {
  load: TRecordLoadColumn[];
  /**
   * The source's records. On a resumed run `resume.afterOrdinal` is the last one committed:
   * a source that can seek starts after it; one that starts over has the earlier ones skipped.
   */
  records: (resume: { afterOrdinal: number } | null) => AsyncIterable<TStagedRecord>;
}

export type TStageRecordsResult = TRecordsCheckpoint;

/**
 * Loads the records into `target`, quarantining the bad ones, in checkpointed chunks.
 * Afterwards rowsIn = rowsOut + rowsRejected. Throws (after rolling back the current
 * chunk) on a database error, an abort, an ordinal that does not increase, or whatever
 * the source throws.
 */
export async function stageRecords(args: TStageRecordsArgs): Promise<TStageRecordsResult> {
  await requireUtf8Database(args.client, "source");
  const { signal } = args;
  const resume = args.resumeFrom;
  const stager = new RecordsStager(args, resume);
  const records = args.records(resume?.lastOrdinal != null ? { afterOrdinal: resume.lastOrdinal } : null)[Symbol.asyncIterator]();
  try {
    await stageInChunks(args, stager, {
      async fillChunk(rows) {
        for (;;) {
          const next = await records.next();
          if (next.done) return true;
          if (stager.stage(next.value)) return false;
          if (stager.out.pos >= FLUSH_BYTES) await rows.write(stager.out.take());
          signal?.throwIfAborted();
        }
      },
      checkpoint: () => stager.checkpoint(),
    });
  } catch (error) {
    await records.return?.();
    throw error;
  }
  return stager.checkpoint();
}

/** Good rows are sent once this many bytes wait, so a chunk never sits whole in memory. */
const FLUSH_BYTES = 1024 * 1024;

class RecordsStager extends RecordStager {
  private lastOrdinal: number | null;
  /** On a resumed run: records up to this ordinal were committed before, and are skipped until a later one comes. */
  private skipThrough: number | null;
  private readonly load: TRecordLoadColumn[];
  private readonly keep: boolean;

  constructor(args: TStageRecordsArgs, resume: TRecordsCheckpoint | null) {
    super(args, resume);
    this.load = args.load;
    this.keep = args.keptRecords !== undefined;
    this.lastOrdinal = resume?.lastOrdinal ?? null;
    this.skipThrough = this.lastOrdinal;
  }

  /** Stages one record; true when the chunk is full. */
  stage(record: TStagedRecord): boolean {
    const { ordinal } = record;
    if (!Number.isSafeInteger(ordinal) || ordinal < 0) throw new Error(`The source gave the record ordinal ${ordinal}: ordinals are non-negative integers`);
    if (this.skipThrough !== null && ordinal <= this.skipThrough) return false;
    this.skipThrough = null;
    if (this.lastOrdinal !== null && ordinal <= this.lastOrdinal) {
      throw new Error(`The source gave the record ordinal ${ordinal} after ${this.lastOrdinal}: ordinals must increase`);
    }
    this.lastOrdinal = ordinal;
    this.countRecord();
    const rawBytes = Buffer.from(record.raw, "utf8");
    const hash = fnv1a(rawBytes, 0, rawBytes.length);
    if (this.keep) this.keepRecord(this.lineageId(ordinal, hash), record.where ?? {}, record.raw);
    const valueOf = (name: string): string | null | undefined =>
      record.values instanceof Map ? record.values.get(name) : Object.hasOwn(record.values, name) ? (record.values as Record<string, string | null>)[name] : undefined;
    if (record.problems && record.problems.length > 0) {
      this.rejectRaw(ordinal, hash, record.raw, "record", record.problems.join("; "));
      return this.chunkFull();
    }
    const rowStart = this.beginRow();
    let violations: TViolation[] | null = null;
    for (const column of this.load) {
      const value = valueOf(column.name);
      // An empty text is an empty string, and NULL for every other type (as the file sources load it).
      if (value === null || value === undefined || (value === "" && column.type !== "string")) {
        writeNull(this.out);
        continue;
      }
      const problem = encodeText(column.type, value, this.out, column.exact === true);
      if (problem !== null) (violations ??= []).push({ field: column.name, rule: "type", value, message: violationMessage(column.name, problem) });
    }
    if (violations) {
      this.out.pos = rowStart;
      this.reject(ordinal, hash, this.load.map((c) => [c.name, valueOf(c.name) ?? null]), violations);
    } else {
      this.accept(ordinal, hash);
    }
    return this.chunkFull();
  }

  checkpoint(): TRecordsCheckpoint {
    return { ...this.counts(), lastOrdinal: this.lastOrdinal };
  }
}

/** A kept raw record by its lineage id; null when it is not there, undefined when the run's kept records are gone (retention). */
export async function readKeptRecord(pool: pg.Pool, table: Sql, lineageId: string): Promise<{ where: Record<string, number | string>; raw: string } | null | undefined> {
  if (!(await relationExists(pool, table))) return undefined;
  const result = await query<{ record_where: Record<string, number | string>; raw: string }>(pool, sql`SELECT record_where, raw FROM ${table} WHERE lineage_id = ${lineageId}`);
  const row = result.rows[0];
  return row ? { where: row.record_where, raw: row.raw } : null;
}
