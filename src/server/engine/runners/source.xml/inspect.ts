/**
 * Inspecting an uploaded XML file: which element is one record (when the node does not
 * say), and the columns of the first records with their inferred types.
 */
import { createReadStream } from "node:fs";
import { SaxesParser } from "saxes";
import { INSPECT_BYTES } from "../../staging/file-start";
import { inspectRecords, type TRecordsInspection } from "../../staging/inspect-records";
import { readXmlRecords, XmlFileError } from "./xml-records";

export interface TXmlInspection extends TRecordsInspection {
  /** The record element path read: the one given, or the one detected. */
  record: string;
}

/** The file's first {@link INSPECT_BYTES}, counted as they are read. */
async function* fileStart(filePath: string, counter: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(filePath, { highWaterMark: 64 * 1024 })) {
    counter.bytes += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
}

/**
 * The record element of a file of repeated elements: the shallowest path at which one
 * name repeats (`feed/items/item` when `<items>` holds the `<item>`s), the most frequent
 * at that depth. Read from the first {@link INSPECT_BYTES}; null when nothing repeats.
 */
export async function detectRecordElement(filePath: string): Promise<string | null> {
  const counts = new Map<string, { depth: number; count: number }>();
  const path: string[] = [];
  const parser = new SaxesParser({ xmlns: true });
  parser.on("opentag", (tag) => {
    path.push(tag.local);
    const key = path.join("/");
    const entry = counts.get(key) ?? { depth: path.length, count: 0 };
    entry.count++;
    counts.set(key, entry);
  });
  parser.on("closetag", () => path.pop());
  // Only element names matter here: a DTD or broken XML is reported by the reading that follows.
  parser.on("error", () => {});
  parser.on("doctype", () => {});
  const counter = { bytes: 0 };
  const decoder = new TextDecoder();
  for await (const chunk of fileStart(filePath, counter)) {
    parser.write(decoder.decode(chunk, { stream: true }));
    if (counter.bytes >= INSPECT_BYTES) break;
  }
  let best: { key: string; depth: number; count: number } | null = null;
  for (const [key, { depth, count }] of counts) {
    if (count < 2) continue;
    if (!best || depth < best.depth || (depth === best.depth && count > best.count)) best = { key, depth, count };
  }
  return best?.key ?? null;
}

/**
 * Inspects an XML file's first records (those in about the first {@link INSPECT_BYTES}).
 * Throws an {@link XmlFileError} when the file cannot be read (see `readXmlRecords`) or no
 * element repeats and none was given.
 */
export async function inspectXml(filePath: string, record?: string): Promise<TXmlInspection> {
  const path = record ?? (await detectRecordElement(filePath));
  if (path === null) throw new XmlFileError("No element repeats in the file's first megabyte: set the record element (the name of the element that holds one record)");
  const counter = { bytes: 0 };
  const inspection = await inspectRecords(readXmlRecords(fileStart(filePath, counter), { record: path }), () => counter.bytes >= INSPECT_BYTES);
  return { ...inspection, record: path };
}
