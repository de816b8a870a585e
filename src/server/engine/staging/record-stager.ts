/**
 * The per-record bookkeeping every file stager shares: counts, the order-independent
 * checksum of the good records, their lineage ids written as bytes into the binary COPY
 * row, quarantining the bad ones, and the raw records a source keeps. A format's stager
 * extends it with its reading; the chunk loop (stageInChunks in ./run.ts) drives it,
 * through `stageChunks` (./stage-file.ts) for a file or `stageRecords` (./stage-records.ts)
 * for a source that yields records.
 */
import { z } from "zod";
import type { Column } from "@/nodes/contract";
import { CopyBuffer, writeHeader } from "./binary-copy";
import { copyText, QuarantineBatch, RAW_RECORD_KEY, type TQuarantineOwner, type TViolation } from "./quarantine";
import { FNV_OFFSET_BASIS, FNV_PRIME } from "./fnv1a";

/** The counts in every staging checkpoint and result. */
export const ZStagedCounts = z.object({
  rowsIn: z.number().int().nonnegative(),
  rowsOut: z.number().int().nonnegative(),
  rowsRejected: z.number().int().nonnegative(),
  /**
   * 16 hex digits: the sum modulo 2^64 of the good records' hashes. Independent of order
   * and chunking, so a resumed run ends with the checksum of an uninterrupted one.
   */
  checksum: z.string().regex(/^[0-9a-f]{16}$/),
});
export type TStagedCounts = z.infer<typeof ZStagedCounts>;

export const DEFAULT_CHUNK_ROWS = 250_000;
/** A chunk also ends once its quarantined records hold this much text, to keep memory flat. */
const MAX_QUARANTINE_CHARS = 8 * 1024 * 1024;
const TWO_POW_32 = 4294967296;

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** What a {@link RecordStager} takes from its staging run (see TStagingRun in ./run.ts). */
export interface TRecordStagerArgs {
  lineagePrefix: string;
  quarantine: TQuarantineOwner;
  /** Records per chunk. Default {@link DEFAULT_CHUNK_ROWS}. */
  chunkRows?: number;
  /** Columns to load, in staging table order. */
  load: readonly Column[];
}

/** The per-record work, kept in one object so the hot loop reads fields, not closures. */
export abstract class RecordStager {
  readonly out = new CopyBuffer();
  readonly quarantine: QuarantineBatch;
  /** Kept raw records of the chunk, as COPY text lines (see TStagingRun.keptRecords). */
  private kept: string[] = [];
  protected rowsIn: number;
  protected rowsOut: number;
  protected rowsRejected: number;
  /** Set by {@link hashRecord}: whether every byte it hashed was ASCII (so the bytes are valid UTF-8). */
  protected ascii = true;
  private sumHigh: number;
  private sumLow: number;
  private chunkRowsIn = 0;
  private readonly chunkRows: number;
  /** Fields of a staged row: the load columns, then the lineage id. */
  private readonly rowFields: number;
  private readonly prefix: Buffer;
  private readonly lineagePrefix: string;

  constructor(args: TRecordStagerArgs, resume: TStagedCounts | null) {
    if (args.lineagePrefix.includes("\u0000")) throw new Error("The lineage prefix cannot contain a NUL character");
    this.lineagePrefix = args.lineagePrefix;
    this.prefix = Buffer.from(args.lineagePrefix, "utf8");
    this.quarantine = new QuarantineBatch(args.quarantine);
    this.chunkRows = args.chunkRows ?? DEFAULT_CHUNK_ROWS;
    this.rowFields = args.load.length + 1;
    this.rowsIn = resume?.rowsIn ?? 0;
    this.rowsOut = resume?.rowsOut ?? 0;
    this.rowsRejected = resume?.rowsRejected ?? 0;
    const checksum = resume?.checksum ?? "0".repeat(16);
    this.sumHigh = Number.parseInt(checksum.slice(0, 8), 16);
    this.sumLow = Number.parseInt(checksum.slice(8), 16);
  }

  startChunk(): void {
    this.chunkRowsIn = 0;
    writeHeader(this.out);
  }

  /** Whether the chunk holds `chunkRows` records, or too much quarantine text. */
  protected chunkFull(): boolean {
    return this.chunkRowsIn >= this.chunkRows || this.quarantine.size >= MAX_QUARANTINE_CHARS;
  }

  /** Counts a record read, good or bad. */
  protected countRecord(): void {
    this.rowsIn++;
    this.chunkRowsIn++;
  }

  /** FNV-1a of the record's bytes, in the same pass noting in {@link ascii} whether they are all ASCII. */
  protected hashRecord(buf: Buffer, start: number, end: number): number {
    let hash = FNV_OFFSET_BASIS;
    let bits = 0;
    for (let p = start; p < end; p++) {
      const b = buf[p] as number;
      hash = Math.imul(hash ^ b, FNV_PRIME);
      bits |= b;
    }
    this.ascii = bits < 0x80;
    return hash >>> 0;
  }

  /**
   * Starts a row in {@link out}; the load columns' fields follow, then {@link accept} ends it.
   * Returns where it starts: a rejected record's row is dropped by setting `out.pos` back there.
   */
  protected beginRow(): number {
    const start = this.out.pos;
    this.out.int16(this.rowFields);
    return start;
  }

  /** Ends the good row being written to {@link out} with its lineage id, and counts it. */
  protected accept(ordinal: number, hash: number): void {
    this.writeLineage(ordinal, hash);
    this.rowsOut++;
    this.sumLow += hash;
    if (this.sumLow >= TWO_POW_32) {
      this.sumLow -= TWO_POW_32;
      this.sumHigh = (this.sumHigh + 1) >>> 0;
    }
  }

  /** Quarantines a record: `record` holds its fields as [column name, text or null] pairs. */
  protected reject(ordinal: number, hash: number, record: [string, string | null][], violations: TViolation[]): void {
    this.quarantine.add(this.lineageId(ordinal, hash), record, violations);
    this.rowsRejected++;
  }

  /** Quarantines a record that could not be read into fields, with its text as it stands in the file. */
  protected rejectRaw(ordinal: number, hash: number, raw: string, rule: string, message: string): void {
    this.reject(ordinal, hash, [[RAW_RECORD_KEY, raw]], [{ field: RAW_RECORD_KEY, rule, value: null, message }]);
  }

  /** Keeps a record's raw text for lineage, for a source that cannot be read again. */
  protected keepRecord(lineageId: string, where: Readonly<Record<string, number | string>>, raw: string): void {
    this.kept.push(`${copyText(lineageId)}\t${copyText(JSON.stringify(where))}\t${copyText(raw)}\n`);
  }

  /** The COPY text of the chunk's kept records, and none kept. */
  takeKept(): Buffer {
    const text = Buffer.from(this.kept.join(""), "utf8");
    this.kept = [];
    return text;
  }

  protected counts(): TStagedCounts {
    return { rowsIn: this.rowsIn, rowsOut: this.rowsOut, rowsRejected: this.rowsRejected, checksum: this.checksum() };
  }

  protected lineageId(ordinal: number, hash: number): string {
    return `${this.lineagePrefix}${ordinal}:${hex8(hash)}`;
  }

  /** Writes the lineage id field from bytes: no string per row. */
  private writeLineage(ordinal: number, hash: number): void {
    const out = this.out;
    let digits = 1;
    for (let n = ordinal; n >= 10; n = Math.floor(n / 10)) digits++;
    const length = this.prefix.length + digits + 9;
    out.int32(length);
    out.ensure(length);
    out.bytes(this.prefix, 0, this.prefix.length);
    const b = out.buf;
    let p = out.pos + digits;
    for (let n = ordinal, i = 0; i < digits; i++, n = Math.floor(n / 10)) b[--p] = 0x30 + (n % 10);
    p = out.pos + digits;
    b[p++] = 0x3a;
    for (let shift = 28; shift >= 0; shift -= 4) {
      const nibble = (hash >>> shift) & 0xf;
      b[p++] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble;
    }
    out.pos = p;
  }

  private checksum(): string {
    return hex8(this.sumHigh) + hex8(this.sumLow);
  }
}
