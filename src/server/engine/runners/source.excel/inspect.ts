/** Inspecting an uploaded workbook: its sheets, and the columns of a sheet's first rows with their inferred types. */
import { INSPECT_ROWS, inspectRecords, type TRecordsInspection } from "../../staging/inspect-records";
import { listSheets, readXlsxRecords, type TXlsxOptions } from "./xlsx-records";

export interface TXlsxInspection extends TRecordsInspection {
  /** Every sheet's name, in the workbook's order. */
  sheets: string[];
  /** The sheet inspected: the one given, or the first. */
  sheet: string | null;
}

/** Inspects the first {@link INSPECT_ROWS} rows of a sheet (the first by default). Throws an `XlsxFileError` saying what is wrong. */
export async function inspectXlsx(filePath: string, options: TXlsxOptions = {}): Promise<TXlsxInspection> {
  const sheets = await listSheets(filePath);
  const sheet = options.sheet ?? sheets[0] ?? null;
  let rows = 0;
  const inspection = await inspectRecords(readXlsxRecords(filePath, { ...options, ...(sheet === null ? {} : { sheet }) }), () => ++rows >= INSPECT_ROWS);
  return { ...inspection, sheets, sheet };
}
