import { open } from "node:fs/promises";

/** Bytes an upload is inspected on, from the start of the file: enough to infer types, instant on any file. */
export const INSPECT_BYTES = 1024 * 1024;

/** Rows returned for a preview. */
export const SAMPLE_ROWS = 100;

/** The first {@link INSPECT_BYTES} of a file, and whether they are the whole file. */
export async function readFileStart(filePath: string): Promise<{ bytes: Buffer; eof: boolean }> {
  const file = await open(filePath, "r");
  try {
    const size = (await file.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, INSPECT_BYTES));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return { bytes: buffer.subarray(0, bytesRead), eof: bytesRead >= size };
  } finally {
    await file.close();
  }
}
