import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeZip } from "../../testing/zip-writer";
import { inspectXlsx } from "./inspect";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-xlsx-inspect-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const cell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

describe("inspectXlsx", () => {
  it("lists the sheets and infers the first sheet's columns, date-formatted numbers as dates", async () => {
    const path = join(dir, "air.xlsx");
    await writeZip(path, [
      { name: "xl/workbook.xml", content: `<workbook ${NS}><sheets><sheet name="Data" sheetId="1" r:id="rId1"/><sheet name="Notes" sheetId="2" r:id="rId2"/></sheets></workbook>` },
      {
        name: "xl/_rels/workbook.xml.rels",
        content: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/notes.xml"/></Relationships>`,
      },
      { name: "xl/styles.xml", content: `<styleSheet ${NS}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>` },
      {
        name: "xl/worksheets/sheet1.xml",
        content: `<worksheet ${NS}><sheetData><row r="1">${cell("A1", "station")}${cell("B1", "pm25")}${cell("C1", "measured")}</row><row r="2">${cell("A2", "Lyon")}<c r="B2"><v>12</v></c><c r="C2" s="1"><v>45292</v></c></row><row r="3">${cell("A3", "Bron")}<c r="B3"><v>7.5</v></c><c r="C3" s="1"><v>45293</v></c></row></sheetData></worksheet>`,
      },
      { name: "xl/worksheets/notes.xml", content: `<worksheet ${NS}><sheetData><row r="1">${cell("A1", "note")}</row><row r="2">${cell("A2", "ok")}</row></sheetData></worksheet>` },
    ]);
    const inspection = await inspectXlsx(path);
    expect(inspection.sheets).toEqual(["Data", "Notes"]);
    expect(inspection.sheet).toBe("Data");
    expect(inspection.columns).toEqual([
      { name: "station", type: "string" },
      { name: "pm25", type: "number" },
      { name: "measured", type: "date" },
    ]);
    expect(inspection.sampleRows).toEqual([
      ["Lyon", "12", "2024-01-01"],
      ["Bron", "7.5", "2024-01-02"],
    ]);
    expect(inspection.sampleLines).toEqual([2, 3]);
    expect((await inspectXlsx(path, { sheet: "Notes" })).sampleRows).toEqual([["ok"]]);
  });
});
