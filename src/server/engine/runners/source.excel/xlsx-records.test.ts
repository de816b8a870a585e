import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeZip, type TZipMember } from "../../testing/zip-writer";
import { listSheets, readXlsxRecords, serialToText, XlsxFileError, type TSheetRecord, type TXlsxOptions } from "./xlsx-records";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-xlsx-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/** A workbook as Excel writes it: sheets referenced through relationships, shared strings, cell styles. */
function workbook(sheets: { name: string; rows: Iterable<string> }[], shared: string[], { date1904 = false } = {}): TZipMember[] {
  return [
    { name: "[Content_Types].xml", content: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>` },
    {
      name: "xl/workbook.xml",
      content: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook ${NS}><workbookPr date1904="${date1904 ? 1 : 0}"/><sheets>${sheets
        .map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join("")}</sheets></workbook>`,
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      content: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
        .map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
        .join("")}</Relationships>`,
    },
    {
      name: "xl/sharedStrings.xml",
      content: `<sst ${NS} count="${shared.length}">${shared.map((s) => (s.startsWith("<") ? `<si>${s}</si>` : `<si><t xml:space="preserve">${s}</t></si>`)).join("")}</sst>`,
    },
    {
      // Styles: 0 general, 1 built-in date (14), 2 custom date-time, 3 two decimals (not a date), 4 custom "[Red]0.0" (not a date).
      name: "xl/styles.xml",
      content: `<styleSheet ${NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/><numFmt numFmtId="165" formatCode="[Red]0.0"/></numFmts><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="2"/><xf numFmtId="165"/></cellXfs></styleSheet>`,
    },
    ...sheets.map((s, i) => ({
      name: `xl/worksheets/sheet${i + 1}.xml`,
      content: (function* () {
        yield `<?xml version="1.0" encoding="UTF-8"?><worksheet ${NS}><sheetData>`;
        yield* s.rows;
        yield `</sheetData></worksheet>`;
      })(),
    })),
  ];
}

async function records(members: TZipMember[], options?: TXlsxOptions): Promise<TSheetRecord[]> {
  const path = join(dir, `w-${Math.random().toString(36).slice(2)}.xlsx`);
  await writeZip(path, members);
  const out: TSheetRecord[] = [];
  for await (const r of readXlsxRecords(path, options)) out.push(r);
  return out;
}

const SHARED = ["station", "pm25", "measured", "open", "Lyon Centre", "<r><t>Ville</t></r><r><t>urbanne</t></r><rPh><t>ヴィル</t></rPh>", "at"];
const DATA_ROWS = [
  `<row r="1"><c r="A1" t="inlineStr"><is><t>Air quality, January</t></is></c></row>`,
  `<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c><c r="D2" t="s"><v>3</v></c><c r="E2" t="s"><v>6</v></c></row>`,
  `<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" s="3"><v>12.50</v></c><c r="C3" s="1"><v>45292</v></c><c r="D3" t="b"><v>1</v></c><c r="E3" s="2"><v>45292.5</v></c></row>`,
  `<row r="4"><c r="A4" t="s"><v>5</v></c><c r="C4" s="1"><v>60</v></c><c r="E4" s="4"><v>7</v></c></row>`,
  `<row r="5" ht="20" customHeight="1"/>`,
  `<row r="6"><c r="A6" t="inlineStr"><is><t>Bron</t></is></c><c r="B6" t="e"><v>#DIV/0!</v></c><c r="G6"><v>3</v></c></row>`,
];

describe("readXlsxRecords", () => {
  it("reads the chosen sheet below its header row, values as stored, dates as dates, the row number as lineage", async () => {
    const rows = await records(workbook([{ name: "Readme", rows: [`<row r="1"><c r="A1" t="inlineStr"><is><t>see Data</t></is></c></row>`] }, { name: "Data", rows: DATA_ROWS }], SHARED), {
      sheet: "Data",
      headerRow: 2,
    });
    expect(rows.map((r) => r.line)).toEqual([3, 4, 6]);
    expect(rows.map((r) => Object.fromEntries(r.values))).toEqual([
      { station: "Lyon Centre", pm25: "12.50", measured: "2024-01-01", open: "true", at: "2024-01-01 12:00:00" },
      // Serial 60 is 29 February 1900, a day that never was: it is kept as stored.
      { station: "Villeurbanne", pm25: null, measured: "60", open: null, at: "7" },
      { station: "Bron", pm25: "#DIV/0!", measured: null, open: null, at: null, column_G: "3" },
    ]);
    expect(rows.map((r) => r.problems)).toEqual([[], [], ["cell G6 holds a value past the header's last column (E)"]]);
  });

  it("reads the first sheet by default, and names columns column_1… without a header row", async () => {
    const members = workbook([{ name: "Only", rows: [`<row><c><v>1</v></c><c><v>2</v></c></row>`, `<row><c><v>3</v></c><c/><c><v>5</v></c></row>`] }], []);
    const rows = await records(members, { headerRow: 0 });
    expect(rows.map((r) => [r.line, Object.fromEntries(r.values)])).toEqual([
      [1, { column_1: "1", column_2: "2" }],
      [2, { column_1: "3", column_2: null, column_3: "5" }],
    ]);
  });

  it("converts date serials of both date systems", () => {
    expect(serialToText(1, "date", false)).toBe("1900-01-01");
    expect(serialToText(61, "date", false)).toBe("1900-03-01");
    expect(serialToText(45292.25, "date", false)).toBe("2024-01-01 06:00:00");
    expect(serialToText(0, "date", true)).toBe("1904-01-01");
    expect(serialToText(45292.000011574, "timestamp", false)).toBe("2024-01-01 00:00:01");
    expect(serialToText(-1, "date", false)).toBeNull();
  });

  it("refuses a file that is not a workbook, an old .xls, and a sheet that is not there, saying why", async () => {
    const csv = join(dir, "really-a.csv.xlsx");
    await writeFile(csv, "station,pm25\nLyon,12\n");
    await expect(listSheets(csv)).rejects.toThrow(
      /^The file is not an Excel workbook \(\.xlsx\): it is not a zip archive .*\. Upload the \.xlsx file as Excel saves it \(a CSV file renamed \.xlsx is read with a CSV source\)$/,
    );
    const xls = join(dir, "old.xls");
    await writeFile(xls, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
    await expect(listSheets(xls)).rejects.toThrow("The file is an old Excel 97–2003 workbook (.xls): open it in Excel or LibreOffice and save it as .xlsx");
    const zip = join(dir, "not-a-workbook.xlsx");
    await writeZip(zip, [{ name: "data.csv", content: "a\n1\n" }]);
    await expect(listSheets(zip)).rejects.toThrow("The file is a zip archive but not an Excel workbook: it has no xl/workbook.xml");
    const wrongSheet = records(workbook([{ name: "Data", rows: [] }, { name: "Notes", rows: [] }], []), { sheet: "data" });
    await expect(wrongSheet).rejects.toThrow('The workbook has no sheet named "data" (it has "Data", "Notes")');
    const broken = records(workbook([{ name: "Data", rows: [`<row><c><v>1</c></row>`] }], []));
    await expect(broken).rejects.toBeInstanceOf(XlsxFileError);
  });

  it("streams a 50 MB sheet in far less memory than the sheet", async () => {
    const ROWS = 400_000;
    function* rows(): Generator<string> {
      yield `<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>station</t></is></c><c r="C1" t="inlineStr"><is><t>pm25</t></is></c><c r="D1" t="inlineStr"><is><t>measured</t></is></c></row>`;
      for (let i = 2; i <= ROWS + 1; i++) {
        yield `<row r="${i}"><c r="A${i}"><v>${i}</v></c><c r="B${i}" t="inlineStr"><is><t>station number ${i % 977}</t></is></c><c r="C${i}"><v>${(i % 1000) / 10}</v></c><c r="D${i}" s="1"><v>${40000 + (i % 3000)}</v></c></row>`;
      }
    }
    let sheetBytes = 0;
    const counted = (function* () {
      for (const row of rows()) {
        sheetBytes += row.length;
        yield row;
      }
    })();
    const path = join(dir, "large.xlsx");
    await writeZip(path, workbook([{ name: "Big", rows: counted }], []));
    expect(sheetBytes).toBeGreaterThan(50 * 1024 * 1024);
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let count = 0;
    let last: TSheetRecord | undefined;
    for await (const record of readXlsxRecords(path)) {
      count++;
      last = record;
      if (count % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(count).toBe(ROWS);
    expect(last?.line).toBe(ROWS + 1);
    expect(Object.fromEntries(last?.values ?? [])).toEqual({ id: String(ROWS + 1), station: `station number ${(ROWS + 1) % 977}`, pm25: "0.1", measured: "2012-04-02" });
    expect(peak - before).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);
});
