import type { FileHandle } from "node:fs/promises";

/** Bytes read per call: small enough that PostgreSQL keeps being fed while Node works. */
export const READ_BYTES = 64 * 1024;
/** A record longer than this stops the run: it almost always means a quote never closed. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export class RecordTooLongError extends Error {}

/**
 * A window over a file for the scanner: unread bytes are [pos, end) of `buf`. `fill`
 * keeps the unread bytes and appends more, growing the read when one record does not fit,
 * so a long record is read in a few large steps instead of being rescanned per 64 KB.
 */
export class FileWindow {
  buf = Buffer.allocUnsafe(READ_BYTES * 2);
  pos = 0;
  end = 0;
  eof = false;
  private readBytes = READ_BYTES;

  constructor(
    private readonly file: FileHandle,
    /** File offset of `buf[end]`. */
    private filePosition: number,
  ) {}

  /** File offset of `buf[pos]`: where the next unread record starts. */
  get offset(): number {
    return this.filePosition - (this.end - this.pos);
  }

  /**
   * Reads more bytes after the unread ones. `stuck`: the scanner could not finish a
   * record in what is there, so the next read must bring more than the usual amount.
   */
  async fill(stuck: boolean): Promise<void> {
    const pending = this.end - this.pos;
    if (stuck && pending >= this.readBytes) {
      if (pending >= MAX_RECORD_BYTES) {
        throw new RecordTooLongError(
          `A record is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB, most likely because a quoted field is never closed`,
        );
      }
      this.readBytes = Math.min(this.readBytes * 2, MAX_RECORD_BYTES);
    } else if (!stuck) this.readBytes = READ_BYTES;
    if (this.pos > 0) {
      this.buf.copy(this.buf, 0, this.pos, this.end);
      this.end = pending;
      this.pos = 0;
    }
    if (!stuck && this.buf.length > READ_BYTES * 4 && this.end <= READ_BYTES) {
      // A long record is behind us: give its memory back.
      const smaller = Buffer.allocUnsafe(READ_BYTES * 2);
      this.buf.copy(smaller, 0, 0, this.end);
      this.buf = smaller;
    }
    if (this.end + this.readBytes > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.end + this.readBytes);
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    const { bytesRead } = await this.file.read(this.buf, this.end, this.readBytes, this.filePosition);
    this.end += bytesRead;
    this.filePosition += bytesRead;
    if (bytesRead === 0) this.eof = true;
  }
}
