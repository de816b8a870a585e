/** `source.xml`: an uploaded XML file, its record elements streamed into staging by stageRecords. */
import { createReadStream } from "node:fs";
import { uploadIdOf } from "@/nodes/pipeline";
import xmlSource, { xmlUploadOptions, type TXmlConfig } from "@/nodes/sources/xml";
import { PreviewUnavailableError } from "../../../errors";
import { uploadPath } from "../../../storage";
import type { UploadCatalogEntry } from "../../uploads-catalog";
import { defineRunner } from "../contract";
import { previewUpload } from "../preview-upload";
import { findRecord, rawOf, recordFileStage, recordLoadColumns, sampleRecords } from "../records/record-source";
import { inspectXml } from "./inspect";
import { readXmlRecords, XmlFileError, type TXmlRecord } from "./xml-records";

/** A record's lineage ordinal: its position among the records (0-based), since several records can start on one line. */
const ordinalOf = (_record: TXmlRecord, index: number) => index;

/** The record element a run reads: the one set, or the one detected when the file was uploaded. */
function recordElement(config: TXmlConfig, upload: UploadCatalogEntry): string {
  const detected = upload.format.record;
  const record = config.record ?? (typeof detected === "string" ? detected : undefined);
  if (!record) throw new XmlFileError(`${upload.filename}: no element repeats in it, so set the record element (the name of the element that holds one record)`);
  return record;
}

function readFile(filePath: string, record: string) {
  return readXmlRecords(createReadStream(filePath, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>, { record });
}

export default defineRunner("source", {
  node: xmlSource,
  inspectUpload: {
    xml: async (filePath, inspectOptions) => {
      const record = typeof inspectOptions?.record === "string" ? inspectOptions.record : undefined;
      const inspected = await inspectXml(filePath, record);
      if (inspected.sampleRows.length === 0) {
        throw new XmlFileError(`The file's first megabyte holds no <${inspected.record}> element: name the element that holds one record`);
      }
      return { format: { record: inspected.record }, columns: inspected.columns };
    },
  },

  stage: recordFileStage({
    uploadOptions: xmlUploadOptions,
    open: (config, upload) => {
      const record = recordElement(config, upload);
      return { read: (filePath) => readFile(filePath, record), what: `<${record}> records from the file` };
    },
    ordinalOf,
  }),

  sample: async ({ config, workspaceId, nodeId, output, upload, limit }) => {
    const { uploadId, entry } = previewUpload(nodeId, config.file, upload);
    const inspected = upload(uploadId, xmlUploadOptions(config)) ?? entry;
    if (inspected.problem) throw new PreviewUnavailableError(`${nodeId}: ${inspected.problem}`);
    const record = recordElement(config, inspected);
    try {
      const sample = await sampleRecords(readFile(uploadPath(workspaceId, uploadId), record), recordLoadColumns(output, inspected, config.columns), limit, ordinalOf);
      return { columns: output, ...sample, note: `The first ${sample.rows.length} <${record}> records of the file.` };
    } catch (error) {
      if (error instanceof XmlFileError) throw new PreviewUnavailableError(`${nodeId}: ${entry.filename}: ${error.message}`);
      throw error;
    }
  },

  readRecord: async ({ config, workspaceId, ordinal, upload }) => {
    const file = upload(uploadIdOf(config.file) ?? "");
    // A file deleted or no longer readable leaves the lineage without its record, not failing.
    const found = file ? await (async () => findRecord(readFile(uploadPath(workspaceId, file.id), recordElement(config, file)), ordinal, ordinalOf))().catch(() => null) : null;
    const where = { file: file?.filename ?? null, uploadId: file?.id ?? null, ...(found ? { line: found.line } : {}) };
    return { where, record: found ? { fields: Object.fromEntries(found.values), raw: rawOf(found) } : null };
  },
});
