import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectCsv, INSPECT_BYTES, SAMPLE_ROWS } from "./inspect";

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-inspect-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(content: string | Buffer): Promise<string> {
  const file = path.join(dir, `f${++counter}.csv`);
  await writeFile(file, content);
  return file;
}

describe("inspectCsv", () => {
  it("detects the format, names and types, with a preview", async () => {
    const file = await fileWith(
      'station,aqi,pm25,ok,day,at,note\nA,12,1.5,yes,2024-01-01,2024-01-01 10:00,"multi\nline"\nB,,2,no,2024-01-02,2024-01-01T11:00Z,\n',
    );
    const inspection = await inspectCsv(file);
    expect(inspection.options).toEqual({ delimiter: ",", quote: '"', header: true, encoding: "utf-8", lineBreak: "lf" });
    expect(inspection.columns).toEqual([
      { name: "station", type: "string" },
      { name: "aqi", type: "integer" },
      { name: "pm25", type: "number" },
      { name: "ok", type: "boolean" },
      { name: "day", type: "date" },
      { name: "at", type: "timestamp" },
      { name: "note", type: "string" },
    ]);
    expect(inspection.sampleRows).toEqual([
      ["A", "12", "1.5", "yes", "2024-01-01", "2024-01-01 10:00", "multi\nline"],
      ["B", null, "2", "no", "2024-01-02", "2024-01-01T11:00Z", null],
    ]);
    expect(inspection.sampleLines).toEqual([2, 4]);
  });

  it.each([
    [";", "a;b;c\n1;2,5;x\n3;4,5;y\n"],
    ["\t", "a\tb\n1\tx, y\n2\tz\n"],
    ["|", "a|b\n1|2\n"],
    [",", "a,b\n1,\"x;y;z\"\n2,w\n"],
  ])("detects the delimiter %j", async (delimiter, content) => {
    expect((await inspectCsv(await fileWith(content))).options.delimiter).toBe(delimiter);
  });

  it("detects a missing header when the first record fits the column types", async () => {
    const inspection = await inspectCsv(await fileWith("1,2024-01-01,abc\n2,2024-01-02,def\n"));
    expect(inspection.options.header).toBe(false);
    expect(inspection.columns.map((c) => c.name)).toEqual(["column_1", "column_2", "column_3"]);
    expect(inspection.sampleLines).toEqual([1, 2]);
  });

  it("makes header names usable", async () => {
    const inspection = await inspectCsv(await fileWith("id,,id,_sluice_run_id\n1,2,3,4\n"));
    expect(inspection.columns.map((c) => c.name)).toEqual(["id", "column_2", "id_2", "sluice_run_id"]);
  });

  it("reads UTF-8 unless told otherwise: one stray byte does not make the file Latin-1", async () => {
    const stray = await inspectCsv(await fileWith(Buffer.concat([Buffer.from("name;city\ncafé;Köln\n"), Buffer.from("Jos\xe9;Bonn\n", "latin1")])));
    expect(stray.options).toMatchObject({ encoding: "utf-8", delimiter: ";" });
    expect(stray.sampleRows[0]).toEqual(["café", "Köln"]);
    const latin = await inspectCsv(await fileWith(Buffer.from("name;city\nJosé;Köln\n", "latin1")), { encoding: "latin1" });
    expect(latin.options).toMatchObject({ encoding: "latin1", delimiter: ";" });
    expect(latin.sampleRows).toEqual([["José", "Köln"]]);
  });

  it("recognises lines that end in CR alone, as well as LF and CRLF", async () => {
    for (const [lineBreak, expected] of [["\r", "cr"], ["\n", "lf"], ["\r\n", "lf"]] as const) {
      const inspection = await inspectCsv(await fileWith(["station,aqi", "A,1", '"B\nnorth",2', ""].join(lineBreak)));
      expect(inspection.options.lineBreak, JSON.stringify(lineBreak)).toBe(expected);
      expect(inspection.columns).toEqual([
        { name: "station", type: "string" },
        { name: "aqi", type: "integer" },
      ]);
      expect(inspection.sampleRows).toEqual([
        ["A", "1"],
        ["B\nnorth", "2"],
      ]);
    }
  });

  it("uses given options and skips a byte order mark", async () => {
    const bom = await inspectCsv(await fileWith(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("é,b\n1,2\n")])));
    expect(bom.options.encoding).toBe("utf-8");
    expect(bom.columns[0]?.name).toBe("é");
    const given = await inspectCsv(await fileWith("a;b\n1;2\n"), { delimiter: ",", header: false });
    expect(given.columns).toEqual([{ name: "column_1", type: "string" }]);
  });

  it("handles empty and header-only files", async () => {
    expect(await inspectCsv(await fileWith(""))).toMatchObject({ columns: [], sampleRows: [] });
    expect(await inspectCsv(await fileWith("a,b\n"))).toMatchObject({
      columns: [
        { name: "a", type: "string" },
        { name: "b", type: "string" },
      ],
      sampleRows: [],
    });
  });

  it("reads only the start of a large file and ignores a cut last record", async () => {
    const row = "123,2024-01-01,some text here\n";
    const rows = Math.ceil((INSPECT_BYTES * 3) / row.length);
    const file = await fileWith(`id,day,text\n${row.repeat(rows)}`);
    const started = performance.now();
    const inspection = await inspectCsv(file);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(inspection.columns.map((c) => c.type)).toEqual(["integer", "date", "string"]);
    expect(inspection.sampleRows).toHaveLength(SAMPLE_ROWS);
  });
});
