/**
 * What the file stagers (CSV, JSON) share around their per-record work: the staging
 * table, the file and its window, and the chunk loop. A file is loaded in chunks, each one
 * transaction that sends the good rows as binary COPY, the quarantined records as a second
 * COPY and saves a checkpoint, so a killed run resumes after its last committed chunk and
 * ends with exactly the rows of an uninterrupted run.
 */
import { once } from "node:events";
import { open } from "node:fs/promises";
import type { Writable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { LINEAGE_COLUMN, type Column } from "@/nodes/contract";
import { ident, join, raw, render, sql, type Sql } from "@/nodes/sql";
import { PG_TYPES } from "@/nodes/values";
import { query } from "../../db/query";
import { writeTrailer } from "../csv/binary-copy";
import { FileWindow } from "../csv/file-reader";
import { QUARANTINE_COPY, type TQuarantineOwner } from "../csv/quarantine";
import type { RecordStager } from "./record-stager";

/** A {@link RecordStager} that reads its records from a file window. */
export interface TFileStager<TCheckpoint> extends RecordStager {
  /** Stages the complete records in the window. Returns true when the chunk is full. */
  stageAvailable(window: FileWindow): boolean;
  /** Where the run stands, `byteOffset` being the file offset of the next unread byte. */
  checkpoint(byteOffset: number): TCheckpoint;
}

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
   * table for them, created like the staging table (see createKeptRecordsTable in ./stage-records.ts).
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

/** What every file stager takes besides its format's settings. */
export interface TStageFileArgs<TCheckpoint, TLoad extends Column = Column> extends TStagingRun<TCheckpoint> {
  filePath: string;
  /** Columns to load, in staging table order. */
  load: TLoad[];
}

/**
 * Indexes a staged table's lineage ids for lineage lookups, once its rows are in. A BRIN
 * index: rows are staged in file order, so a block range covers a narrow band of ids, and
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

/** Stagers send UTF-8 text, which a database in another encoding could not hold. */
export async function requireUtf8Database(client: pg.ClientBase, format: string): Promise<void> {
  const result = await client.query<{ server_encoding: string }>("SHOW server_encoding");
  if (result.rows[0]?.server_encoding !== "UTF8") {
    throw new Error(`The database must use UTF8 encoding to load ${format} files (it uses ${result.rows[0]?.server_encoding})`);
  }
}

/**
 * Opens the file and runs `read` on a window starting at `byteOffset` (a checkpoint's, or
 * 0); closes the file afterwards. Refuses an offset past the end: the file changed.
 */
export async function withFileWindow<T>(
  filePath: string,
  byteOffset: number | undefined,
  read: (window: FileWindow, size: number) => Promise<T>,
): Promise<T> {
  const file = await open(filePath, "r");
  try {
    const size = (await file.stat()).size;
    if (byteOffset !== undefined && byteOffset > size) {
      throw new Error(`The checkpoint is at byte ${byteOffset} but the file has only ${size} bytes: the file changed since the run started`);
    }
    return await read(new FileWindow(file, byteOffset ?? 0), size);
  } finally {
    await file.close();
  }
}

/**
 * Stages the rest of the window's file in chunks of one transaction each: COPY of the good
 * rows, COPY of the quarantined records, `saveCheckpoint`, COMMIT. Throws (after rolling
 * back the current chunk) on a database error, an abort, or whatever the stager throws.
 */
export async function stageChunks<TCheckpoint>(
  args: TStageFileArgs<TCheckpoint>,
  window: FileWindow,
  stager: TFileStager<TCheckpoint>,
): Promise<void> {
  const { client, signal } = args;
  const copyStatement = render(
    sql`COPY ${args.target} (${join([...args.load.map((c) => ident(c.name)), ident(LINEAGE_COLUMN)])}) FROM STDIN (FORMAT binary)`,
  ).text;
  const quarantineStatement = render(QUARANTINE_COPY).text;
  let done = false;
  while (!done) {
    signal?.throwIfAborted();
    await client.query("BEGIN");
    let copy: CopyIn | null = null;
    try {
      // Text in binary COPY is converted from the client encoding: make it the bytes we send.
      await client.query("SET LOCAL client_encoding TO 'UTF8'");
      copy = new CopyIn(client.query(copyFrom(copyStatement)));
      stager.startChunk();
      for (;;) {
        const full = stager.stageAvailable(window);
        await copy.write(stager.out.take());
        if (full) break;
        if (window.eof && window.pos >= window.end) {
          done = true;
          break;
        }
        signal?.throwIfAborted();
        await window.fill(window.pos < window.end);
      }
      writeTrailer(stager.out);
      await copy.end(stager.out.take());
      copy = null;
      if (stager.quarantine.count > 0) {
        copy = new CopyIn(client.query(copyFrom(quarantineStatement)));
        await copy.end(stager.quarantine.take());
        copy = null;
      }
      await args.saveCheckpoint(client, stager.checkpoint(window.offset));
      await client.query("COMMIT");
    } catch (error) {
      await copy?.cancel(error);
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  }
}

/**
 * A COPY FROM STDIN under way. pg-copy-streams reports a server error by emitting
 * 'error' without destroying the stream, at any moment: the listener is attached from
 * the start, and every step checks for it.
 */
export class CopyIn {
  private error: Error | null = null;
  private readonly done: Promise<void>;

  constructor(private readonly stream: Writable) {
    this.done = new Promise<void>((resolve, reject) => {
      stream.on("error", (error: Error) => {
        this.error ??= error;
        reject(error);
      });
      stream.on("finish", resolve);
    });
    // Awaited by end() or write(); until then a rejection is only recorded.
    this.done.catch(() => {});
  }

  /** Sends bytes, waiting while the stream is full (its backpressure) and at least one turn of the event loop. */
  async write(data: Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (data.length > 0 && !this.stream.write(data)) await Promise.race([once(this.stream, "drain"), this.done]);
    else await nextTurn();
    if (this.error) throw this.error;
  }

  /** Sends the last bytes and waits until the server has taken the whole COPY. */
  async end(data: Buffer): Promise<void> {
    if (this.error) throw this.error;
    this.stream.end(data);
    await this.done;
  }

  /** Abandons the COPY: sends CopyFail, so the server leaves COPY mode before the rollback. */
  async cancel(reason: unknown): Promise<void> {
    // After a server error the COPY is over already, and the stream cannot send CopyFail.
    if (this.error || this.stream.writableFinished) return;
    this.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    await this.done.catch(() => {});
  }
}
