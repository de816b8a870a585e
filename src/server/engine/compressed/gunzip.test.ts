import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectCsv } from "../csv/inspect";
import { readXmlRecords } from "../runners/source.xml/xml-records";
import { gunzipChunks, gunzipToFile, GzipError, isGzip } from "./gunzip";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-gz-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Buffer | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const CSV = "city,pm25\nLyon,12.5\nParis,00501\n";

describe("gzip uploads", () => {
  it("are told from other files by their bytes, not their name", async () => {
    expect(await isGzip(await file("a.csv.gz", gzipSync(CSV)))).toBe(true);
    expect(await isGzip(await file("b.csv.gz", CSV))).toBe(false);
    expect(await isGzip(await file("empty.gz", ""))).toBe(false);
  });

  it("unpack to a file the CSV reader inspects as it would the plain file", async () => {
    const unpacked = join(dir, "unpacked.csv");
    await gunzipToFile(await file("c.csv.gz", gzipSync(CSV)), unpacked, 1024);
    expect(await readFile(unpacked, "utf8")).toBe(CSV);
    const inspection = await inspectCsv(unpacked);
    expect(inspection.columns.map((c) => c.name)).toEqual(["city", "pm25"]);
    expect(inspection.sampleRows).toEqual([
      ["Lyon", "12.5"],
      ["Paris", "00501"],
    ]);
  });

  it("stream into the XML reader, several gzip members read as one file", async () => {
    const gz = Buffer.concat([gzipSync('<rows>\n<row v="1"/>\n'), gzipSync('<row v="2"/>\n</rows>\n')]);
    const records = [];
    for await (const record of readXmlRecords(gunzipChunks(await file("d.xml.gz", gz), 1024), { record: "row" })) records.push(record);
    expect(records.map((r) => [r.line, r.values.get("v")])).toEqual([
      [2, "1"],
      [3, "2"],
    ]);
  });

  it("fail clearly when cut off, damaged, or unpacking past the limit, leaving no partial file", async () => {
    const gz = gzipSync(CSV.repeat(200));
    const cases: [string, Buffer, number, string][] = [
      ["cut.gz", gz.subarray(0, gz.length - 30), 1 << 20, "The gzip file is cut off (it ends before its compressed data does): upload the whole file"],
      ["damaged.gz", Buffer.concat([gz.subarray(0, 10), Buffer.alloc(40, 0xff), gz.subarray(50)]), 1 << 20, "The file is not valid gzip data ("],
      ["bomb.gz", gzipSync(Buffer.alloc(4 << 20)), 1 << 20, 'The file unpacks to more than 1 MB: too large to read (or a "zip bomb")'],
    ];
    for (const [name, bytes, max, message] of cases) {
      const path = await file(name, bytes);
      const destination = join(dir, `${name}.out`);
      const unpacking = await gunzipToFile(path, destination, max).catch((e: unknown) => e);
      expect(unpacking).toBeInstanceOf(GzipError);
      expect((unpacking as Error).message.startsWith(message)).toBe(true);
      await expect(stat(destination)).rejects.toThrow("ENOENT");
      const streaming = async () => {
        for await (const chunk of gunzipChunks(path, max)) void chunk;
      };
      await expect(streaming()).rejects.toThrow(message);
    }
  });
});
