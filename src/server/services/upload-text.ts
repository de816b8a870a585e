import { Transform, type TransformCallback } from "node:stream";
import { UploadRejectedError } from "../errors";

/** Bytes looked at to tell text from a binary file. */
const SNIFF_BYTES = 1024;

export type TUtf16Encoding = "utf-16le" | "utf-16be";

/**
 * Makes an uploaded text file what every reader downstream expects: UTF-8 bytes. A file that
 * starts with a UTF-16 byte order mark is decoded into UTF-8 as it streams in (the BOM is the
 * only way to know; `decodedFrom` tells afterwards), and a file that looks binary (NUL or
 * other control bytes near its start) is refused with the reason instead of loading garbage.
 * UTF-8 and Latin-1 files pass through unchanged, byte for byte.
 */
export class UploadTextDecoder extends Transform {
  decodedFrom: TUtf16Encoding | undefined;
  private decoder: TextDecoder | undefined;
  private head: Buffer | undefined = Buffer.alloc(0);
  private seen = 0;

  constructor(private readonly filename: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (this.head) {
        // The BOM and the binary check need the first bytes together, whatever the chunking.
        this.head = Buffer.concat([this.head, chunk]);
        if (this.head.length < SNIFF_BYTES) return callback();
        const head = this.head;
        this.head = undefined;
        this.start(head);
        return callback(null, this.decode(head, false));
      }
      callback(null, this.decode(chunk, false));
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.head) {
        const head = this.head;
        this.head = undefined;
        this.start(head);
        this.push(this.decode(head, true));
      } else if (this.decoder) this.push(this.decode(Buffer.alloc(0), true));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private start(head: Buffer): void {
    if (head[0] === 0xff && head[1] === 0xfe) this.decodedFrom = "utf-16le";
    else if (head[0] === 0xfe && head[1] === 0xff) this.decodedFrom = "utf-16be";
    if (this.decodedFrom) {
      this.decoder = new TextDecoder(this.decodedFrom, { fatal: true });
      return;
    }
    const problem = binaryProblem(head.subarray(0, SNIFF_BYTES));
    if (problem) throw new UploadRejectedError(`${this.filename} looks like a binary file, not text: ${problem}`);
  }

  private decode(bytes: Buffer, last: boolean): Buffer {
    if (!this.decoder) return bytes;
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: !last });
    } catch {
      throw new UploadRejectedError(
        `${this.filename} starts with a ${this.decodedFrom!.toUpperCase()} byte order mark but is not valid ${this.decodedFrom!.toUpperCase()} (within bytes ${this.seen}–${this.seen + bytes.length})`,
      );
    }
    this.seen += bytes.length;
    // The decoder drops the byte order mark itself.
    return Buffer.from(text, "utf8");
  }
}

/** Why `head` is not the start of a text file, or undefined when it could be one. */
function binaryProblem(head: Buffer): string | undefined {
  const nul = head.indexOf(0);
  if (nul >= 0) {
    return `it has a NUL byte at byte ${nul} (a UTF-16 text file needs a byte order mark to be read)`;
  }
  let control = 0;
  for (const byte of head) {
    // Tab, line feed, vertical tab, form feed, carriage return and escape occur in text files.
    if (byte < 0x20 && (byte < 0x09 || byte > 0x0d) && byte !== 0x1b) control++;
  }
  if (control > head.length / 100) return `${control} of its first ${head.length} bytes are control characters`;
  return undefined;
}
