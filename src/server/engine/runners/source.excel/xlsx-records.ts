/**
 * Reads one sheet of an Excel workbook (.xlsx) as records, streaming the sheet's XML out of
 * the zip: memory holds the shared strings (every distinct text of the workbook, as Excel
 * itself does) and one row, never the sheet. A cell's value is the text the workbook
 * stores (`12.50` stays `12.50`, not a float's rounding); a number shown as a date or time
 * becomes `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS[.fff]`, so the columns infer as dates.
 */
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { SaxesParser, type SaxesTagNS } from "saxes";
import { columnNamesFromHeader, generatedColumnNames } from "../../csv/column-names";
import { MAX_RECORD_BYTES } from "../../staging/file-window";
import { openZip, ZipError, type TZipArchive } from "../../compressed/zip";

/** One row of the sheet below the header. */
export interface TSheetRecord {
  /** The row's number in the sheet (1-based, as Excel shows it): its lineage ordinal. */
  line: number;
  /** Values by column name, for every column of the header; an empty cell is null. */
  values: Map<string, string | null>;
  /** Why the row cannot be loaded as it is (a value past the header's last column), for quarantine. */
  problems: string[];
}

/** The file is not a readable .xlsx workbook, or lacks the sheet asked for; the message says why. */
export class XlsxFileError extends Error {}

export interface TXlsxOptions {
  /** The sheet's name. Default: the first sheet. */
  sheet?: string;
  /** The row holding the column names; rows above it are skipped. 0: no header, columns are `column_1`, …. Default 1. */
  headerRow?: number;
}

/** A part of the workbook read whole (the shared strings, styles) larger than this is refused. */
const MAX_PART_BYTES = 256 * 1024 * 1024;
/** Columns read at most: Excel's own limit (XFD). */
const MAX_SHEET_COLUMNS = 16_384;
const WORKBOOK = "xl/workbook.xml";
const OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/**
 * Built-in number formats that show a date or time (ECMA-376 §18.8.30, and the ones
 * Excel uses for East Asian locales).
 */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
const BUILTIN_TIME_FORMATS = new Set([18, 19, 20, 21, 45, 46, 47]);

/** Whether a custom number format shows a date (d, m, y) or time (h, s): letters outside quotes, escapes and [colour]/[$-locale] brackets. */
function formatKind(code: string): "date" | "timestamp" | null {
  const bare = code
    .replace(/"[^"]*"/g, "")
    .replace(/\\./g, "")
    .replace(/\[(?!h\]|hh\]|m\]|mm\]|s\]|ss\])[^\]]*\]/gi, "")
    .toLowerCase();
  const hasDate = /[dy]/.test(bare) || (/m/.test(bare) && !/[hs]/.test(bare));
  const hasTime = /[hs]/.test(bare);
  if (hasTime) return "timestamp";
  return hasDate ? "date" : null;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * A date serial as text. Serials count days from 1899-12-31 (or 1904-01-01); serial 60 is
 * the 29 February 1900 that Excel keeps from Lotus 1-2-3, which never was, so later serials
 * are one day less.
 */
export function serialToText(serial: number, kind: "date" | "timestamp", date1904: boolean): string | null {
  if (!Number.isFinite(serial) || serial < 0) return null;
  const days = date1904 ? serial + 1462 : serial;
  if (!date1904 && Math.floor(days) === 60) return null;
  const epochDays = Math.floor(days) - (days > 60 ? 25569 : 25568);
  const millis = Math.round((days - Math.floor(days)) * 86_400_000);
  const at = new Date(epochDays * 86_400_000 + millis);
  const date = `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
  if (kind === "date" && millis === 0) return date;
  const ms = at.getUTCMilliseconds();
  return `${date} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}${ms === 0 ? "" : `.${pad(ms, 3)}`}`;
}

/** Column letters of a cell reference (`BC12`) as a 0-based index; -1 without a reference. */
function columnIndex(reference: string | undefined): number {
  if (!reference) return -1;
  let index = 0;
  let i = 0;
  for (; i < reference.length; i++) {
    const c = reference.charCodeAt(i);
    if (c < 65 || c > 90) break;
    index = index * 26 + (c - 64);
  }
  return i === 0 ? -1 : index - 1;
}

function columnLetters(index: number): string {
  let letters = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

interface TXmlHandlers {
  open?: (tag: SaxesTagNS) => void;
  text?: (text: string) => void;
  close?: (tag: SaxesTagNS) => void;
}

/**
 * A parser fed chunk by chunk, calling the handlers with local names. `write` and `end`
 * throw an {@link XlsxFileError} naming the part when it is not well-formed XML.
 */
function xmlFeeder(part: string, handlers: TXmlHandlers): { write: (chunk: Buffer) => void; end: () => void } {
  const parser = new SaxesParser({ xmlns: true });
  let failure: string | null = null;
  parser.on("error", (error) => {
    failure ??= error.message;
  });
  parser.on("doctype", () => {
    failure ??= "it declares a DTD, which a workbook never does (and DTDs are never processed)";
  });
  if (handlers.open) parser.on("opentag", handlers.open);
  if (handlers.close) parser.on("closetag", handlers.close);
  if (handlers.text) {
    parser.on("text", handlers.text);
    parser.on("cdata", handlers.text);
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const run = (step: () => void): void => {
    if (!failure) {
      try {
        step();
      } catch (error) {
        if (error instanceof XlsxFileError) throw error;
        failure = (error as Error).message;
      }
    }
    if (failure) throw new XlsxFileError(`The workbook is damaged: ${part} is not valid XML (${failure})`);
  };
  return {
    write: (chunk) => run(() => parser.write(decoder.decode(chunk, { stream: true }))),
    end: () => run(() => parser.write(decoder.decode()).close()),
  };
}

/** Reads a small part of the workbook whole through the handlers. */
async function parseXml(stream: AsyncIterable<Buffer>, part: string, handlers: TXmlHandlers): Promise<void> {
  const feeder = xmlFeeder(part, handlers);
  for await (const chunk of stream) feeder.write(chunk);
  feeder.end();
}

async function* limited(stream: Readable, part: string): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_PART_BYTES) {
      stream.destroy();
      throw new XlsxFileError(`The workbook's ${part} unpacks to more than ${MAX_PART_BYTES / 1024 / 1024} MB: too large to read`);
    }
    yield chunk;
  }
}

interface TWorkbook {
  zip: TZipArchive;
  /** Sheet names and their part paths, in the workbook's order. */
  sheets: { name: string; part: string }[];
  date1904: boolean;
}

async function readWorkbook(filePath: string): Promise<TWorkbook> {
  let zip: TZipArchive;
  try {
    zip = await openZip(filePath, "an Excel workbook (.xlsx)");
  } catch (error) {
    if (!(error instanceof ZipError)) throw error;
    const head = Buffer.alloc(4);
    const file = await open(filePath, "r");
    await file.read(head, 0, 4, 0).finally(() => file.close());
    if (head.readUInt32BE(0) === 0xd0cf11e0) {
      throw new XlsxFileError("The file is an old Excel 97–2003 workbook (.xls): open it in Excel or LibreOffice and save it as .xlsx");
    }
    throw new XlsxFileError(`${error.message}. Upload the .xlsx file as Excel saves it (a CSV file renamed .xlsx is read with a CSV source)`);
  }
  try {
    const workbook = zip.members.get(WORKBOOK);
    if (!workbook) throw new XlsxFileError(`The file is a zip archive but not an Excel workbook: it has no ${WORKBOOK}`);
    const declared: { name: string; rel: string }[] = [];
    let date1904 = false;
    await parseXml(limited(await zip.open(workbook), WORKBOOK), WORKBOOK, {
      open: (tag) => {
        if (tag.local === "workbookPr") date1904 = ["1", "true"].includes(tag.attributes.date1904?.value ?? "");
        if (tag.local === "sheet") {
          const rel = Object.values(tag.attributes).find((a) => a.local === "id" && a.uri === OFFICE_RELS)?.value;
          declared.push({ name: tag.attributes.name?.value ?? "", rel: rel ?? "" });
        }
      },
    });
    const targets = new Map<string, string>();
    const rels = zip.members.get("xl/_rels/workbook.xml.rels");
    if (rels) {
      await parseXml(limited(await zip.open(rels), "workbook relationships"), "xl/_rels/workbook.xml.rels", {
        open: (tag) => {
          if (tag.local === "Relationship") targets.set(tag.attributes.Id?.value ?? "", tag.attributes.Target?.value ?? "");
        },
      });
    }
    const sheets = declared.map(({ name, rel }) => {
      const target = targets.get(rel) ?? "";
      return { name, part: target.startsWith("/") ? target.slice(1) : `xl/${target}` };
    });
    return { zip, sheets, date1904 };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/** The workbook's sheet names, in order; throws an {@link XlsxFileError} when it is not a workbook. */
export async function listSheets(filePath: string): Promise<string[]> {
  const workbook = await readWorkbook(filePath);
  workbook.zip.close();
  return workbook.sheets.map((s) => s.name);
}

/** Every shared string, rich text runs joined, phonetic guides left out. */
async function readSharedStrings(zip: TZipArchive): Promise<string[]> {
  const part = zip.members.get("xl/sharedStrings.xml");
  if (!part) return [];
  const strings: string[] = [];
  let current = "";
  let inText = false;
  let phonetic = 0;
  await parseXml(limited(await zip.open(part), "shared strings"), "xl/sharedStrings.xml", {
    open: (tag) => {
      if (tag.local === "si") current = "";
      else if (tag.local === "rPh") phonetic++;
      else if (tag.local === "t") inText = phonetic === 0;
    },
    text: (text) => {
      if (inText) current += text;
    },
    close: (tag) => {
      if (tag.local === "t") inText = false;
      else if (tag.local === "rPh") phonetic--;
      else if (tag.local === "si") strings.push(current);
    },
  });
  return strings;
}

/** For each cell style (`s` index), whether it shows numbers as a date, a timestamp, or neither. */
async function readDateStyles(zip: TZipArchive): Promise<("date" | "timestamp" | null)[]> {
  const part = zip.members.get("xl/styles.xml");
  if (!part) return [];
  const custom = new Map<number, string>();
  const formats: number[] = [];
  let inCellXfs = false;
  await parseXml(limited(await zip.open(part), "styles"), "xl/styles.xml", {
    open: (tag) => {
      if (tag.local === "numFmt") custom.set(Number(tag.attributes.numFmtId?.value), tag.attributes.formatCode?.value ?? "");
      else if (tag.local === "cellXfs") inCellXfs = true;
      else if (tag.local === "xf" && inCellXfs) formats.push(Number(tag.attributes.numFmtId?.value ?? 0));
    },
    close: (tag) => {
      if (tag.local === "cellXfs") inCellXfs = false;
    },
  });
  return formats.map((id) => {
    const code = custom.get(id);
    if (code !== undefined) return formatKind(code);
    if (BUILTIN_DATE_FORMATS.has(id)) return BUILTIN_TIME_FORMATS.has(id) ? "timestamp" : "date";
    return null;
  });
}

/**
 * Yields the rows below the header of one sheet (see {@link TSheetRecord}); rows with no
 * value at all are skipped (a sheet stores them only for their formatting). Throws an
 * {@link XlsxFileError} when the file is not an .xlsx workbook, is damaged, or has no such sheet.
 */
export async function* readXlsxRecords(filePath: string, options: TXlsxOptions = {}): AsyncGenerator<TSheetRecord> {
  const headerRow = options.headerRow ?? 1;
  const { zip, sheets, date1904 } = await readWorkbook(filePath);
  try {
    const sheet = options.sheet === undefined ? sheets[0] : sheets.find((s) => s.name === options.sheet);
    if (!sheet) {
      throw new XlsxFileError(
        options.sheet === undefined
          ? "The workbook has no sheet"
          : `The workbook has no sheet named ${JSON.stringify(options.sheet)} (it has ${sheets.map((s) => JSON.stringify(s.name)).join(", ")})`,
      );
    }
    const member = zip.members.get(sheet.part);
    if (!member) throw new XlsxFileError(`The workbook is damaged: sheet ${JSON.stringify(sheet.name)} has no part ${sheet.part}`);
    const shared = await readSharedStrings(zip);
    const dateStyles = await readDateStyles(zip);

    let names: string[] | null = headerRow === 0 ? [] : null;
    const ready: TSheetRecord[] = [];
    let rowNumber = 0;
    let cells: (string | null)[] = [];
    let rowChars = 0;
    let cellIndex = 0;
    let cellType = "n";
    let cellStyle = 0;
    let cellText = "";
    let inValue = false;
    let inInline = false;
    let failure: XlsxFileError | null = null;

    const cellValue = (): string | null => {
      if (cellText === "" && cellType !== "inlineStr" && cellType !== "str") return null;
      switch (cellType) {
        case "s": {
          const text = shared[Number(cellText)];
          if (text === undefined) failure ??= new XlsxFileError(`The workbook is damaged: cell ${columnLetters(cellIndex)}${rowNumber} names shared string ${cellText}, which does not exist`);
          return text === "" || text === undefined ? null : text;
        }
        case "b":
          return cellText === "1" ? "true" : cellText === "0" ? "false" : cellText;
        case "inlineStr":
        case "str":
          return cellText === "" ? null : cellText;
        case "e":
        case "d":
          return cellText;
        default: {
          const kind = dateStyles[cellStyle] ?? null;
          return kind === null ? cellText : (serialToText(Number(cellText), kind, date1904) ?? cellText);
        }
      }
    };

    const finishRow = (): void => {
      if (names === null) {
        if (rowNumber === headerRow) names = columnNamesFromHeader(cells);
        return;
      }
      if (rowNumber <= headerRow || cells.every((v) => v === null)) return;
      const columns = headerRow === 0 ? (names = extend(names, cells.length)) : names;
      const values = new Map<string, string | null>();
      const problems: string[] = [];
      columns.forEach((name, i) => values.set(name, cells[i] ?? null));
      for (let i = columns.length; i < cells.length; i++) {
        const value = cells[i];
        if (value === null || value === undefined) continue;
        const name = `column_${columnLetters(i)}`;
        values.set(name, value);
        problems.push(`cell ${columnLetters(i)}${rowNumber} holds a value past the header's last column (${columnLetters(columns.length - 1)})`);
      }
      ready.push({ line: rowNumber, values, problems });
    };

    const feeder = xmlFeeder(sheet.part, {
      open: (tag) => {
        switch (tag.local) {
          case "row":
            rowNumber = tag.attributes.r ? Number(tag.attributes.r.value) : rowNumber + 1;
            cells = [];
            rowChars = 0;
            cellIndex = -1;
            break;
          case "c": {
            const at = columnIndex(tag.attributes.r?.value);
            cellIndex = at >= 0 ? at : cellIndex + 1;
            cellType = tag.attributes.t?.value ?? "n";
            cellStyle = Number(tag.attributes.s?.value ?? 0);
            cellText = "";
            break;
          }
          case "v":
            inValue = true;
            break;
          case "is":
            inInline = true;
            break;
          case "t":
            if (inInline) inValue = true;
            break;
          case "rPh":
            inValue = false;
            break;
        }
      },
      text: (text) => {
        if (!inValue) return;
        cellText += text;
        rowChars += text.length;
        if (rowChars > MAX_RECORD_BYTES) failure ??= new XlsxFileError(`Row ${rowNumber} holds more than ${MAX_RECORD_BYTES / 1024 / 1024} MB of text: rows must each be smaller`);
      },
      close: (tag) => {
        switch (tag.local) {
          case "v":
          case "t":
            inValue = false;
            break;
          case "is":
            inInline = false;
            break;
          case "c":
            if (cellIndex >= MAX_SHEET_COLUMNS) failure ??= new XlsxFileError(`The workbook is damaged: row ${rowNumber} has a cell past column XFD`);
            else {
              while (cells.length < cellIndex) cells.push(null);
              cells[cellIndex] = cellValue();
            }
            break;
          case "row":
            finishRow();
            break;
        }
      },
    });
    for await (const chunk of await zip.open(member)) {
      feeder.write(chunk as Buffer);
      if (failure) throw failure;
      yield* ready.splice(0);
    }
    feeder.end();
    if (failure) throw failure;
    yield* ready.splice(0);
  } finally {
    zip.close();
  }
}

function extend(names: string[], count: number): string[] {
  return count <= names.length ? names : generatedColumnNames(count);
}
