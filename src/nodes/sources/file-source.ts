/** What the file sources (CSV, JSON) share: their `file` and `columns` settings, and finding the upload. */
import { z } from "zod";
import { ZColumnType, type Column, type OutputSchemaArgs, type TColumnType, type UploadInfo } from "../contract";
import { UPLOAD_REF_PREFIX, uploadIdOf } from "../pipeline";

/** The `file` setting: an uploaded file, `upload:<id>`. */
export function uploadField(description: string) {
  return z
    .string()
    .startsWith(UPLOAD_REF_PREFIX, `choose an uploaded file (${UPLOAD_REF_PREFIX}<id>)`)
    .meta({ title: "File", description, widget: "upload" });
}

/** The `columns` setting: types by column name, overriding the inferred ones. */
export function columnTypesField(description: string) {
  return z.record(z.string(), ZColumnType).optional().meta({ title: "Column types", description, widget: "column-types" });
}

/** The upload a source's `file` names; reports a problem on `file` when it is not there. */
export function sourceUpload(file: string, { upload, report }: Pick<OutputSchemaArgs<unknown>, "upload" | "report">): UploadInfo | undefined {
  const uploadId = uploadIdOf(file);
  const info = uploadId ? upload(uploadId) : undefined;
  if (!info) report({ path: ["file"], message: "the file is not uploaded yet (or was deleted): upload it again" });
  return info;
}

/**
 * Whether a source column's type is the one inferred from its upload's sample rather than
 * one the user chose (`columns`): then a later value that would not keep its exact text in
 * that type goes to quarantine (`inferredValueProblem` in `@/nodes/values`).
 */
export function typeIsInferred(column: Column, inspected: readonly Column[], overrides: Readonly<Record<string, TColumnType>> = {}): boolean {
  return overrides[column.name] === undefined && inspected.some((c) => c.name === column.name && c.type === column.type);
}
