/**
 * Writes real .xlsx workbooks for tests, as Excel lays them out (workbook, relationships,
 * styles, one part per sheet): texts as inline strings, numbers as numbers, dates as date
 * serials in a date-formatted style.
 */
import { writeZip } from "./zip-writer";

export type TCell = string | number | Date | null;

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function columnLetters(index: number): string {
  let letters = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

function cell(value: TCell, reference: string): string {
  if (value === null) return "";
  if (typeof value === "number") return `<c r="${reference}"><v>${value}</v></c>`;
  // Days since 1899-12-30, the serial Excel stores for dates after February 1900.
  if (value instanceof Date) return `<c r="${reference}" s="1"><v>${value.getTime() / 86_400_000 + 25569}</v></c>`;
  return `<c r="${reference}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(value)}</t></is></c>`;
}

/** Writes a workbook of the given sheets to `path`; row 1 of each sheet is its first row. */
export async function writeXlsx(path: string, sheets: { name: string; rows: TCell[][] }[]): Promise<void> {
  await writeZip(path, [
    { name: "[Content_Types].xml", content: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>` },
    {
      name: "xl/workbook.xml",
      content: `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS}><sheets>${sheets
        .map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join("")}</sheets></workbook>`,
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      content: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
        .map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
        .join("")}</Relationships>`,
    },
    { name: "xl/styles.xml", content: `<styleSheet ${NS}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>` },
    ...sheets.map((s, i) => ({
      name: `xl/worksheets/sheet${i + 1}.xml`,
      content: `<?xml version="1.0" encoding="UTF-8"?><worksheet ${NS}><sheetData>${s.rows
        .map((row, r) => `<row r="${r + 1}">${row.map((value, c) => cell(value, `${columnLetters(c)}${r + 1}`)).join("")}</row>`)
        .join("")}</sheetData></worksheet>`,
    })),
  ]);
}
