import { open } from "node:fs/promises";

/** A place in a text file for people: 1-based line, and column in characters. */
export interface TTextPosition {
  line: number;
  column: number;
}

function isContinuationByte(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

/** The line and column of byte `at` in `bytes`, counting from byte `from` (line 1, column 1). */
export function textPosition(bytes: Uint8Array, from: number, at: number): TTextPosition {
  let line = 1;
  let lineStart = from;
  for (let p = from; p < at; p++) {
    if (bytes[p] === 0x0a) {
      line++;
      lineStart = p + 1;
    }
  }
  let column = 1;
  for (let p = lineStart; p < at; p++) if (!isContinuationByte(bytes[p] as number)) column++;
  return { line, column };
}

/**
 * The line and column of a byte offset in a file, read in slices: only used to say where
 * a file breaks, so it rereads the file up to there rather than counting lines while
 * streaming.
 */
export async function filePosition(filePath: string, offset: number, from = 0): Promise<TTextPosition> {
  const file = await open(filePath, "r");
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let line = 1;
    let column = 1;
    for (let position = from; position < offset; ) {
      const { bytesRead } = await file.read(buf, 0, Math.min(buf.length, offset - position), position);
      if (bytesRead === 0) break;
      for (let p = 0; p < bytesRead; p++) {
        const b = buf[p] as number;
        if (b === 0x0a) {
          line++;
          column = 1;
        } else if (!isContinuationByte(b)) column++;
      }
      position += bytesRead;
    }
    return { line, column };
  } finally {
    await file.close();
  }
}
