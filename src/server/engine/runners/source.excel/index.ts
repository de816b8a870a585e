/** `source.excel`: one sheet of an uploaded .xlsx workbook, its rows streamed into staging by stageRecords. */
import { uploadIdOf } from "@/nodes/pipeline";
import excelSource, { excelUploadOptions, type TExcelConfig } from "@/nodes/sources/excel";
import { PreviewUnavailableError } from "../../../errors";
import { uploadPath } from "../../../storage";
import { defineRunner } from "../contract";
import { previewUpload } from "../preview-upload";
import { findRecord, rawOf, recordFileStage, recordLoadColumns, sampleRecords } from "../records/record-source";
import { inspectXlsx } from "./inspect";
import { readXlsxRecords, XlsxFileError, type TSheetRecord, type TXlsxOptions } from "./xlsx-records";

/** A row's lineage ordinal: its row number in the sheet. */
const ordinalOf = (record: TSheetRecord) => record.line;

function readOptions(config: TExcelConfig): TXlsxOptions {
  return { ...(config.sheet === undefined ? {} : { sheet: config.sheet }), ...(config.headerRow === undefined ? {} : { headerRow: config.headerRow }) };
}

export default defineRunner("source", {
  node: excelSource,
  inspectUpload: {
    xlsx: async (filePath, options) => {
      const inspected = await inspectXlsx(filePath, {
        ...(typeof options?.sheet === "string" ? { sheet: options.sheet } : {}),
        ...(typeof options?.headerRow === "number" ? { headerRow: options.headerRow } : {}),
      });
      return { format: { sheet: inspected.sheet, sheets: inspected.sheets }, columns: inspected.columns };
    },
  },

  stage: recordFileStage({
    uploadOptions: excelUploadOptions,
    open: (config, upload) => ({
      read: (filePath) => readXlsxRecords(filePath, readOptions(config)),
      what: `rows of sheet ${JSON.stringify(config.sheet ?? upload.format.sheet ?? "")}`,
    }),
    ordinalOf,
  }),

  sample: async ({ config, workspaceId, nodeId, output, upload, limit }) => {
    const { uploadId, entry } = previewUpload(nodeId, config.file, upload);
    const inspected = upload(uploadId, excelUploadOptions(config)) ?? entry;
    if (inspected.problem) throw new PreviewUnavailableError(`${nodeId}: ${inspected.problem}`);
    try {
      const records = readXlsxRecords(uploadPath(workspaceId, uploadId), readOptions(config));
      const sample = await sampleRecords(records, recordLoadColumns(output, inspected, config.columns), limit, ordinalOf);
      return { columns: output, ...sample, note: `The first ${sample.rows.length} rows of sheet ${JSON.stringify(config.sheet ?? inspected.format.sheet ?? "")}.` };
    } catch (error) {
      if (error instanceof XlsxFileError) throw new PreviewUnavailableError(`${nodeId}: ${entry.filename}: ${error.message}`);
      throw error;
    }
  },

  readRecord: async ({ config, workspaceId, ordinal, upload }) => {
    const file = upload(uploadIdOf(config.file) ?? "");
    const where = { file: file?.filename ?? null, uploadId: file?.id ?? null, line: ordinal };
    // A file deleted or no longer readable leaves the lineage without its record, not failing.
    const found = file ? await findRecord(readXlsxRecords(uploadPath(workspaceId, file.id), readOptions(config)), ordinal, ordinalOf).catch(() => null) : null;
    return { where, record: found ? { fields: Object.fromEntries(found.values), raw: rawOf(found) } : null };
  },
});
