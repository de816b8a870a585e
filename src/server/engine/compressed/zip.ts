/**
 * Reading zip archives (an .xlsx workbook is one): the central directory is read first, so
 * members can be opened in any order and streamed, never unpacked whole into memory.
 */
import type { Readable } from "node:stream";
import yauzl from "yauzl";

/** The file is not a zip archive, or is a damaged one; the message says which. */
export class ZipError extends Error {}

/** Members listed at most: a directory of millions of entries is not a workbook or a batch of uploads. */
const MAX_ENTRIES = 10_000;

export interface TZipArchive {
  /** Members by their name in the archive (folders left out), in archive order. */
  members: Map<string, yauzl.Entry>;
  /** The member's bytes, unpacked as they are read; yauzl checks them against the sizes the archive declares. */
  open(member: yauzl.Entry): Promise<Readable>;
  close(): void;
}

/** Opens a zip archive and lists its members; throws a {@link ZipError} when it is not one. */
export async function openZip(filePath: string, what: string): Promise<TZipArchive> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(filePath, { lazyEntries: true, autoClose: false, strictFileNames: false });
  } catch (error) {
    throw new ZipError(`The file is not ${what}: it is not a zip archive (${(error as Error).message})`);
  }
  try {
    const members = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on("entry", (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith("/")) members.set(entry.fileName, entry);
        if (members.size > MAX_ENTRIES) reject(new ZipError(`The archive holds more than ${MAX_ENTRIES} files`));
        else zip.readEntry();
      });
      zip.on("end", resolve);
      zip.on("error", (error: Error) => reject(new ZipError(`The file is a damaged zip archive: ${error.message}`)));
      zip.readEntry();
    });
    return {
      members,
      open: async (member) => {
        try {
          return await zip.openReadStreamPromise(member);
        } catch (error) {
          throw new ZipError(`${member.fileName} in the archive cannot be read: ${(error as Error).message}`);
        }
      },
      close: () => zip.close(),
    };
  } catch (error) {
    zip.close();
    throw error;
  }
}
