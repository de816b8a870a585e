/**
 * What every stager shares around its per-record work (./record-stager.ts): the staging
 * table and the chunk loop. Input is loaded in chunks, each one transaction that sends the
 * good rows as binary COPY, the quarantined records (and kept raw records) as further COPYs
 * and saves a checkpoint, so a killed run resumes after its last committed chunk and ends
 * with exactly the rows of an uninterrupted run.
 */
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { LINEAGE_COLUMN, type Column } from "@/nodes/contract";
import { ident, join, raw, render, sql, type Sql } from "@/nodes/sql";
import { PG_TYPES } from "@/nodes/values";
import { inTransaction, query } from "../../db/query";
import { writeTrailer } from "./binary-copy";
import { CopyIn } from "./copy-in";
import { QUARANTINE_COPY, type TQuarantineOwner } from "./quarantine";
import type { RecordStager } from "./record-stager";

/** Where a stager's rows go, and how it commits: what a source's run gives every stager. */
export interface TStagingRun<TCheckpoint> {
  /** A dedicated connection: the stager runs BEGIN/COMMIT on it, one transaction per chunk. */
  client: pg.ClientBase;
  /** The staging table (see {@link createStagingTable}): the load columns, then `_sluice_lineage_id text`. */
  target: Sql;
  /**
   * A record's lineage id is `${lineagePrefix}${ordinal}:${hash}`, the ordinal being where
   * the source says the record stands (a line, an index), hash 8 hex digits of FNV-1a over its bytes.
   */
  lineagePrefix: string;
  quarantine: TQuarantineOwner;
  /**
   * Set when the source asked to keep its raw records (TSourceStaging.keepsRecords): the
   * table for them, created by {@link createKeptRecordsTable}.
   */
  keptRecords?: Sql;
  /** The last saved checkpoint, to resume after it; null to start from the beginning. */
  resumeFrom: TCheckpoint | null;
  /** Called inside each chunk's transaction, before COMMIT. */
  saveCheckpoint: (client: pg.ClientBase, checkpoint: TCheckpoint) => Promise<void>;
  /** Records per chunk. Default 250 000. */
  chunkRows?: number;
  signal?: AbortSignal;
}

/**
 * Indexes a staged table's lineage ids for lineage lookups, once its rows are in. A BRIN
 * index: rows are staged in input order, so a block range covers a narrow band of ids, and
 * building it is one pass over the table (a B-tree costs several times more per run,
 * for lookups that are rare). `name` must be unique in the table's schema.
 */
export async function indexLineage(client: pg.ClientBase, target: Sql, name: string): Promise<void> {
  await query(client, sql`CREATE INDEX IF NOT EXISTS ${ident(name)} ON ${target} USING brin (${ident(LINEAGE_COLUMN)}) WITH (pages_per_range = 16)`);
}

/** Creates an unlogged staging table with the columns a stager writes (`load` as the stager's args have it). */
export async function createStagingTable<TLoad extends Column>(client: pg.ClientBase, target: Sql, load: readonly TLoad[]): Promise<void> {
  const columns = [
    // PG_TYPES holds type names written in this codebase, never user text.
    ...load.map((c) => sql`${ident(c.name)} ${raw(PG_TYPES[c.type])}`),
    sql`${ident(LINEAGE_COLUMN)} text NOT NULL`,
  ];
  await query(client, sql`CREATE UNLOGGED TABLE ${target} (${join(columns)})`);
}

/** Creates the table a source keeps its raw records in (TStagingRun.keptRecords). */
export async function createKeptRecordsTable(client: pg.ClientBase, table: Sql): Promise<void> {
  await query(client, sql`CREATE UNLOGGED TABLE ${table} (lineage_id text PRIMARY KEY, record_where jsonb NOT NULL, raw text NOT NULL)`);
}

/** Stagers send UTF-8 text, which a database in another encoding could not hold. */
export async function requireUtf8Database(client: pg.ClientBase, format: string): Promise<void> {
  const result = await client.query<{ server_encoding: string }>("SHOW server_encoding");
  if (result.rows[0]?.server_encoding !== "UTF8") {
    throw new Error(`The database must use UTF8 encoding to load ${format} files (it uses ${result.rows[0]?.server_encoding})`);
  }
}

/** How one input feeds the chunk loop. */
export interface TChunkSource<TCheckpoint> {
  /**
   * Stages records into the stager until its chunk is full or the input ends, sending its
   * good rows through `rows` as they pile up. Returns true when the input has ended.
   */
  fillChunk(rows: CopyIn): Promise<boolean>;
  /** Where the run stands once the chunk's rows are sent. */
  checkpoint(): TCheckpoint;
}

/**
 * Stages the rest of the input in chunks of one transaction each: COPY of the good rows,
 * COPY of the quarantined records, COPY of the kept raw records (when the run keeps them),
 * `saveCheckpoint`, COMMIT. Throws (after rolling back the current chunk) on a database
 * error, an abort, or whatever the input or the stager throws.
 */
export async function stageInChunks<TCheckpoint>(
  run: TStagingRun<TCheckpoint> & { load: readonly Column[] },
  stager: RecordStager,
  input: TChunkSource<TCheckpoint>,
): Promise<void> {
  const { client, signal } = run;
  const copyStatement = render(sql`COPY ${run.target} (${join([...run.load.map((c) => ident(c.name)), ident(LINEAGE_COLUMN)])}) FROM STDIN (FORMAT binary)`).text;
  const quarantineStatement = render(QUARANTINE_COPY).text;
  const keptStatement = run.keptRecords ? render(sql`COPY ${run.keptRecords} (lineage_id, record_where, raw) FROM STDIN`).text : null;
  let done = false;
  while (!done) {
    signal?.throwIfAborted();
    done = await inTransaction(client, async () => {
      let copy: CopyIn | null = null;
      try {
        // Text in binary COPY is converted from the client encoding: make it the bytes we send.
        await client.query("SET LOCAL client_encoding TO 'UTF8'");
        copy = new CopyIn(client.query(copyFrom(copyStatement)));
        stager.startChunk();
        const last = await input.fillChunk(copy);
        writeTrailer(stager.out);
        await copy.end(stager.out.take());
        copy = null;
        if (stager.quarantine.count > 0) {
          copy = new CopyIn(client.query(copyFrom(quarantineStatement)));
          await copy.end(stager.quarantine.take());
          copy = null;
        }
        const kept = stager.takeKept();
        if (keptStatement && kept.length > 0) {
          copy = new CopyIn(client.query(copyFrom(keptStatement)));
          await copy.end(kept);
          copy = null;
        }
        await run.saveCheckpoint(client, input.checkpoint());
        return last;
      } catch (error) {
        // The server must leave COPY mode before the rollback can be sent.
        await copy?.cancel(error);
        throw error;
      }
    });
  }
}
