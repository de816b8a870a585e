import { z } from "zod";
import { defineNode } from "../contract";
import { columnTypesField, recordSourceColumns, sourceUpload, uploadField } from "./file-source";

const ZExcelConfig = z.object({
  file: uploadField("The uploaded Excel workbook (.xlsx) to read."),
  sheet: z.string().min(1).optional().meta({ title: "Sheet", description: "The sheet's name, as its tab shows it. Default: the first sheet." }),
  headerRow: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .optional()
    .meta({ title: "Header row", description: "The row holding the column names; rows above it are skipped. 0: no header (columns column_1, column_2, …). Default 1." }),
  columns: columnTypesField("Overrides the types inferred from the sheet's first 5,000 rows. A value that does not fit its column's type goes to quarantine, never changed."),
});
export type TExcelConfig = z.output<typeof ZExcelConfig>;

export function excelUploadOptions(config: TExcelConfig) {
  const options: Record<string, string | number> = {};
  if (config.sheet !== undefined) options.sheet = config.sheet;
  if (config.headerRow !== undefined && config.headerRow !== 1) options.headerRow = config.headerRow;
  return Object.keys(options).length > 0 ? options : undefined;
}

export default defineNode({
  type: "source.excel",
  version: 1,
  ui: {
    title: "Excel workbook",
    category: "source",
    icon: "file-sheet",
    description:
      "Reads one sheet of an uploaded Excel workbook (.xlsx), streaming it out of the file without holding the sheet in memory. " +
      "Choose the sheet (the first by default) and the row with the column names. A cell's value is the text the workbook stores " +
      "(12.50 stays 12.50); cells formatted as dates or times become dates and timestamps. Column types are inferred from the first " +
      "rows as for CSV files and can be overridden; a value that does not fit, or a cell right of the header's last column, goes to " +
      "quarantine with the reason. Empty rows are skipped. Old .xls files and CSV files renamed .xlsx are refused with what to do. " +
      "Lineage: the row number, as Excel shows it.",
  },
  inputs: [],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZExcelConfig,
  uploadOptions: excelUploadOptions,
  outputSchema: ({ config, upload, report }) => {
    const info = sourceUpload(config.file, { upload, report }, { options: excelUploadOptions(config), problemPath: config.sheet !== undefined ? ["sheet"] : ["headerRow"] });
    if (!info || info.problem) return [];
    if (!/\.xlsx$/i.test(info.filename)) {
      report({ path: ["file"], message: `${info.filename} is not an Excel workbook (.xlsx): use the source for its format` });
      return [];
    }
    return recordSourceColumns(info.columns, config.columns ?? {}, report);
  },
  execution: { kind: "source" },
  capabilities: { acceptsUploads: [{ kind: "xlsx", label: "an Excel workbook", extensions: [".xlsx"], binary: true }] },
  example: { file: "upload:00000000-0000-0000-0000-000000000000", sheet: "Sheet1", headerRow: 1 },
});
