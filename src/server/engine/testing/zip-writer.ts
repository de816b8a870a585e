/**
 * Writes real zip archives for tests (workbooks, batches of files, hostile archives): each
 * member deflated and streamed to the file, so a test can make a large archive without
 * holding it in memory. Member names are written as given, `../x` included.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { crc32, createDeflateRaw } from "node:zlib";

/** A member's contents: bytes, text, or chunks produced as the archive is written. */
export type TZipMember = { name: string; content: string | Buffer | Iterable<string | Buffer> };

async function put(out: WriteStream, data: Buffer): Promise<void> {
  if (!out.write(data)) await once(out, "drain");
}

export async function writeZip(path: string, members: TZipMember[]): Promise<void> {
  const out = createWriteStream(path);
  const central: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, "utf8");
    const chunks = typeof member.content === "string" || Buffer.isBuffer(member.content) ? [member.content] : member.content;
    // Sizes and CRC follow the data (general purpose bit 3), so the member can be streamed.
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(name.length, 26);
    await put(out, Buffer.concat([local, name]));
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = createDeflateRaw();
    const written = (async () => {
      for await (const piece of deflate as AsyncIterable<Buffer>) {
        compressed += piece.length;
        await put(out, piece);
      }
    })();
    let pending: (string | Buffer)[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      const bytes = Buffer.concat(pending.map((c) => (typeof c === "string" ? Buffer.from(c, "utf8") : c)));
      pending = [];
      pendingBytes = 0;
      crc = crc32(bytes, crc);
      size += bytes.length;
      if (!deflate.write(bytes)) await once(deflate, "drain");
    };
    // Small pieces (a sheet's rows) are deflated in batches: one write per row is very slow.
    for (const chunk of chunks) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= 1 << 20) await flush();
    }
    await flush();
    deflate.end();
    await written;
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    await put(out, descriptor);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0808, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(compressed, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += 30 + name.length + compressed + 16;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  await put(out, Buffer.concat([directory, end]));
  out.end();
  await once(out, "finish");
}
