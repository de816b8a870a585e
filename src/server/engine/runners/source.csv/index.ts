/** `source.csv`: an uploaded CSV file, streamed into staging by the CSV stager (engine/csv). */
import type { Column } from "@/nodes/contract";
import { uploadIdOf } from "@/nodes/pipeline";
import csvSource from "@/nodes/sources/csv";
import { typeIsInferred } from "@/nodes/sources/file-source";
import { compileFieldChecks } from "@/nodes/validate/rules";
import validateNode from "@/nodes/validate/validate";
import { valueProblem } from "@/nodes/values";
import { PreviewUnavailableError } from "../../../errors";
import { uploadPath } from "../../../storage";
import { inspectCsv } from "../../csv";
import { stageCsv, ZCsvCheckpoint, type TFieldCheck, type TLoadColumn } from "../../csv/stage";
import { csvFormatOf } from "../../csv-format";
import { readCsvRecordAtLine } from "../../lineage/read-record";
import { sourceFile } from "../../node-job";
import { defineRunner, type TSourceSample } from "../contract";
import { previewUpload } from "../preview-upload";

export default defineRunner("source", {
  node: csvSource,
  inspectUpload: {
    csv: async (filePath) => {
      const inspected = await inspectCsv(filePath);
      return { format: inspected.options, columns: inspected.columns };
    },
  },

  stage: (job, config) => {
    const { node, runId } = job;
    const file = sourceFile(job, config.file);
    const fileColumns = file.upload.columns.map((c) => c.name);
    const format = csvFormatOf(config, file.upload);

    const validate = node.fusedValidate ? job.plan.get(node.fusedValidate) : undefined;
    const loadColumns = validate ? validate.output : node.output;
    const load: TLoadColumn[] = loadColumns.map((c) => {
      const sourceIndex = fileColumns.indexOf(c.name);
      if (sourceIndex < 0) throw new Error(`the file has no column "${c.name}" any more: it was replaced since the pipeline was saved`);
      return { name: c.name, type: c.type, sourceIndex, exact: typeIsInferred(c, file.upload.columns, config.columns) };
    });
    const fieldChecks = new Map<number, TFieldCheck[]>();
    const rejectNonEmpty: number[] = [];
    if (validate) {
      const validateConfig = validateNode.config.parse(validate.config);
      const rules = validateConfig.rules;
      load.forEach((column, index) => {
        const rule = rules.find((r) => r.field === column.name);
        if (rule) fieldChecks.set(index, compileFieldChecks(rule, column.type));
      });
      if (validateConfig.unknownFields === "reject") {
        const ruled = new Set(rules.map((r) => r.field));
        fileColumns.forEach((name, index) => {
          if (!ruled.has(name)) rejectNonEmpty.push(index);
        });
      }
    }

    return {
      load,
      fusedValidate: validate,
      resumable: (stored) => (stored ? ZCsvCheckpoint.parse(stored) : null),
      stage: (staging) => stageCsv({ ...staging, filePath: file.path, format, fileColumns, load, fieldChecks, rejectNonEmpty }),
      complete: async (result, client) => {
        if (validate) {
          const final = await client.query<{ checkpoint: unknown }>("SELECT checkpoint FROM node_runs WHERE run_id = $1 AND node_id = $2", [runId, node.id]);
          await client.query("UPDATE node_runs SET checkpoint = $3 WHERE run_id = $1 AND node_id = $2", [
            runId,
            node.id,
            JSON.stringify({ ...ZCsvCheckpoint.parse(final.rows[0]?.checkpoint ?? { ...result, byteOffset: 0, line: 1 }), ...result, done: true }),
          ]);
        }
        // Fused, the source hands every record to its validate node, which accounts for the rejects.
        const counts = validate
          ? { rowsIn: result.rowsIn, rowsOut: result.rowsIn, rowsRejected: 0, checksum: null }
          : { ...result };
        return { ...counts, logs: [`read ${result.rowsIn} records from the file; ${result.rowsOut} staged, ${result.rowsRejected} quarantined`] };
      },
    };
  },

  sample: async ({ config, workspaceId, nodeId, output, upload }) => {
    const { uploadId, entry } = previewUpload(nodeId, config.file, upload);
    const inspection = await inspectCsv(uploadPath(workspaceId, uploadId), csvFormatOf(config, entry));
    const fileIndex = new Map(inspection.columns.map((c, i) => [c.name, i]));
    const indexes = output.map((c) => {
      const index = fileIndex.get(c.name);
      if (index === undefined) throw new PreviewUnavailableError(`${nodeId}: the file has no column "${c.name}" any more: it was replaced`);
      return index;
    });
    const rows = inspection.sampleRows.map((row) => indexes.map((i) => row[i] ?? null));
    return { columns: output, rows, lines: inspection.sampleLines, rejected: csvRejects(output, rows), note: `The first ${rows.length} records of the file.` };
  },

  readRecord: async ({ config, workspaceId, ordinal, upload }) => {
    const file = upload(uploadIdOf(config.file) ?? "");
    const where = { file: file?.filename ?? null, uploadId: file?.id ?? null, line: ordinal };
    const found = file
      ? await readCsvRecordAtLine(uploadPath(workspaceId, file.id), csvFormatOf(config, file), file.columns.map((c) => c.name), ordinal).catch(() => null)
      : null;
    return { where, record: found };
  },
});

/** Sample cells that do not fit their column's type: a run quarantines those records at the source. */
function csvRejects(columns: Column[], rows: (string | null)[][]): TSourceSample["rejected"] {
  return rows.flatMap((row, index) => {
    const violations = columns.flatMap((column, i) => {
      const value = row[i] ?? null;
      const problem = valueProblem(column.type, value);
      return problem ? [{ field: column.name, rule: "type", value, message: `${column.name}: ${problem}` }] : [];
    });
    return violations.length ? [{ row: index, violations }] : [];
  });
}
