import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJsonRecord } from "./read-record";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-json-read-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(content: string): Promise<string> {
  const file = path.join(dir, `f${Math.random().toString(16).slice(2)}.json`);
  await writeFile(file, content);
  return file;
}

describe("readJsonRecord", () => {
  it("reads an array element by its 0-based index, across read windows", async () => {
    const records = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(i % 300), nested: { s: "]," } }));
    const file = await fileWith(`\ufeff[\n${records.join(",\n")}\n]`);
    expect(await readJsonRecord(file, "array", 0)).toEqual({ raw: records[0], value: JSON.parse(records[0]!) });
    expect(await readJsonRecord(file, "array", 1999)).toEqual({ raw: records[1999], value: JSON.parse(records[1999]!) });
    expect(await readJsonRecord(file, "array", 2000)).toBeNull();
  });

  it("reads an NDJSON record by its 1-based line, also a line that is not JSON", async () => {
    const file = await fileWith('{"a": 1}\r\n\n{"a": 2,}\n{"a": 3}');
    expect(await readJsonRecord(file, "ndjson", 1)).toEqual({ raw: '{"a": 1}', value: { a: 1 } });
    expect(await readJsonRecord(file, "ndjson", 2)).toBeNull();
    expect(await readJsonRecord(file, "ndjson", 3)).toEqual({ raw: '{"a": 2,}', value: null });
    expect(await readJsonRecord(file, "ndjson", 4)).toEqual({ raw: '{"a": 3}', value: { a: 3 } });
    expect(await readJsonRecord(file, "ndjson", 5)).toBeNull();
  });
});
