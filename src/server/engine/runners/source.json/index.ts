/** `source.json`: an uploaded JSON array or NDJSON file, streamed into staging by the JSON stager (engine/json). */
import { uploadIdOf } from "@/nodes/pipeline";
import { typeIsInferred } from "@/nodes/sources/file-source";
import jsonSource, { ZJsonFormat } from "@/nodes/sources/json";
import { PreviewUnavailableError } from "../../../errors";
import { uploadPath } from "../../../storage";
import { inspectJson, readJsonRecord, stageJson, ZJsonCheckpoint } from "../../json";
import { JsonSampleError, sampleJsonFile } from "../../json/sample";
import { sourceFile } from "../../node-job";
import { defineRunner } from "../contract";
import { previewUpload } from "../preview-upload";

export default defineRunner("source", {
  node: jsonSource,
  inspectUpload: {
    json: async (filePath) => {
      const inspected = await inspectJson(filePath);
      return { format: { format: inspected.format }, columns: inspected.columns };
    },
  },

  stage: (job, config) => {
    const file = sourceFile(job, config.file);
    const detected = ZJsonFormat.safeParse(file.upload.format.format);
    const format = config.format ?? (detected.success ? detected.data : undefined);
    if (!format) throw new Error(`${file.upload.filename} was not inspected as JSON when it was uploaded: upload it again, or set the format`);
    const load = job.node.output.map((c) => ({ name: c.name, type: c.type, exact: typeIsInferred(c, file.upload.columns, config.columns) }));
    return {
      load,
      resumable: (stored) => {
        const parsed = ZJsonCheckpoint.safeParse(stored);
        return parsed.success && parsed.data.format === format ? parsed.data : null;
      },
      stage: (staging) => stageJson({ ...staging, filePath: file.path, format, flatten: config.flatten ?? true, load }),
      complete: (result) => {
        const logs = [`read ${result.rowsIn} records from the file (${format}); ${result.rowsOut} staged, ${result.rowsRejected} quarantined`];
        if (result.ignoredFields > 0) {
          logs.push(
            `${result.ignoredFields} field values were not columns of this source and were not loaded (e.g. ${result.ignoredExamples.join(", ")}); ` +
              "add them under Column types to read them",
          );
        }
        return { rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsRejected: result.rowsRejected, checksum: result.checksum, logs };
      },
    };
  },

  sample: async ({ config, workspaceId, nodeId, output, upload, limit }) => {
    const { uploadId, entry } = previewUpload(nodeId, config.file, upload);
    const detected = ZJsonFormat.safeParse(entry.format.format);
    // The format a run reads the file as (see `stage`).
    const format = config.format ?? (detected.success ? detected.data : undefined);
    if (!format) throw new PreviewUnavailableError(`${nodeId}: ${entry.filename} was not inspected as JSON when it was uploaded: upload it again, or set the format`);
    try {
      const sample = await sampleJsonFile(uploadPath(workspaceId, uploadId), { format, flatten: config.flatten ?? true, columns: output, limit });
      const what = format === "array" ? "records of the array" : "records (lines) of the file";
      const note = sample.firstRecordTooLong
        ? "The first record is longer than the 1 MB a preview reads: no sample to show (a run reads it whole)."
        : `The first ${sample.rows.length} ${what}.`;
      return { columns: output, rows: sample.rows, lines: sample.ordinals, rejected: sample.rejected, note };
    } catch (error) {
      if (error instanceof JsonSampleError) throw new PreviewUnavailableError(`${nodeId}: ${entry.filename} cannot be read as ${format}: ${error.message}`);
      throw error;
    }
  },

  readRecord: async ({ config, workspaceId, ordinal, upload }) => {
    const file = upload(uploadIdOf(config.file) ?? "");
    const format = ZJsonFormat.catch("ndjson").parse(config.format ?? file?.format.format);
    const where = { file: file?.filename ?? null, uploadId: file?.id ?? null, ...(format === "array" ? { index: ordinal } : { line: ordinal }) };
    const found = file ? await readJsonRecord(uploadPath(workspaceId, file.id), format, ordinal).catch(() => null) : null;
    const value = found?.value;
    const fields = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
    return { where, record: found ? { fields, raw: found.raw } : null };
  },
});
