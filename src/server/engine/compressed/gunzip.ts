/**
 * gzip-compressed uploads (`.csv.gz`, `.json.gz`, `.xml.gz`). A format's reader works on
 * the unpacked bytes: streamed to a reader that reads once (XML), or unpacked once into a
 * file beside the upload for the readers that resume from a byte offset (CSV, JSON).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { open, rm } from "node:fs/promises";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

/** Whether the file starts with gzip's magic bytes (1f 8b), whatever its name says. */
export async function isGzip(filePath: string): Promise<boolean> {
  const file = await open(filePath, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await file.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await file.close();
  }
}

/** The gzip data is broken, cut off, or unpacks to more than allowed; the message says which. */
export class GzipError extends Error {}

function describe(error: unknown): Error {
  if (error instanceof GzipError) return error;
  const code = (error as { code?: string }).code;
  if (code === "Z_BUF_ERROR" || (error as Error).message === "unexpected end of file") {
    return new GzipError("The gzip file is cut off (it ends before its compressed data does): upload the whole file");
  }
  if (code === "Z_DATA_ERROR") {
    return new GzipError(`The file is not valid gzip data (${(error as Error).message}): it is damaged, or not gzip-compressed`);
  }
  return error as Error;
}

/** Passes bytes on until there are more than `maxBytes`: a small file that unpacks to terabytes stops early. */
function limit(maxBytes: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      total += chunk.length;
      if (total > maxBytes) done(new GzipError(`The file unpacks to more than ${formatSize(maxBytes)}: too large to read (or a "zip bomb")`));
      else done(null, chunk);
    },
  });
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${bytes} bytes`;
}

/**
 * The unpacked bytes of a gzip file, as a stream, of at most `maxBytes`. Errors are
 * {@link GzipError}s saying what is wrong. A file of several gzip members (as `cat a.gz
 * b.gz` makes) is read whole, like gunzip does.
 */
export async function* gunzipChunks(filePath: string, maxBytes: number): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const limited = limit(maxBytes);
  const done = pipeline(createReadStream(filePath), gunzip, limited);
  // The pipeline's error is thrown from the iteration below; this only keeps it from going unhandled.
  done.catch(() => {});
  try {
    for await (const chunk of limited) yield chunk as Buffer;
    await done;
  } catch (error) {
    throw describe(error);
  } finally {
    limited.destroy();
  }
}

/**
 * Unpacks a gzip file into `destination` (at most `maxBytes`); throws a {@link GzipError}
 * saying what is wrong, leaving no `destination` behind.
 */
export async function gunzipToFile(filePath: string, destination: string, maxBytes: number): Promise<void> {
  try {
    await pipeline(createReadStream(filePath), createGunzip(), limit(maxBytes), createWriteStream(destination));
  } catch (error) {
    // A partial file must never be read as the upload's contents.
    await rm(destination, { force: true });
    throw describe(error);
  }
}
