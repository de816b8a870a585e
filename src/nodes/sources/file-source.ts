/** What the file sources (CSV, JSON, XML, Excel) share: their `file` and `columns` settings, and finding the upload. */
import { z } from "zod";
import { RESERVED_COLUMN_PREFIX, ZColumnType, type Column, type ConfigProblem, type OutputSchemaArgs, type TColumnType, type TUploadOptions, type UploadInfo } from "../contract";
import { identifierProblem } from "../sql";
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

/**
 * The upload a source's `file` names, inspected with `options` when given; reports a problem
 * on `file` when it is not there, and on `problemPath` when it cannot be read with the options.
 */
export function sourceUpload(
  file: string,
  { upload, report }: Pick<OutputSchemaArgs<unknown>, "upload" | "report">,
  options?: { options: TUploadOptions | undefined; problemPath: (string | number)[] },
): UploadInfo | undefined {
  const uploadId = uploadIdOf(file);
  const info = uploadId ? upload(uploadId, options?.options) : undefined;
  if (!info) report({ path: ["file"], message: "the file is not uploaded yet (or was deleted): upload it again" });
  else if (info.problem) report({ path: options?.problemPath ?? ["file"], message: info.problem });
  return info;
}

/**
 * A record source's columns: the inspected ones with `columns` overriding their types,
 * then fields the sample did not show, added by `columns` (sparse records may have them later).
 */
export function recordSourceColumns(inspected: readonly Column[], overrides: Readonly<Record<string, TColumnType>>, report: (problem: ConfigProblem) => void): Column[] {
  const columns = inspected.map((c): Column => ({ name: c.name, type: overrides[c.name] ?? c.type }));
  const known = new Set(inspected.map((c) => c.name));
  for (const [name, type] of Object.entries(overrides)) {
    if (known.has(name)) continue;
    const problem = name.startsWith(RESERVED_COLUMN_PREFIX) ? `names starting with ${RESERVED_COLUMN_PREFIX} are reserved` : identifierProblem(name);
    if (problem) report({ path: ["columns", name], message: `"${name}" cannot be a column: ${problem}` });
    else columns.push({ name, type });
  }
  return columns.filter((c) => !c.name.startsWith(RESERVED_COLUMN_PREFIX));
}

/**
 * Whether a source column's type is the one inferred from its upload's sample rather than
 * one the user chose (`columns`): then a later value that would not keep its exact text in
 * that type goes to quarantine (`inferredValueProblem` in `@/nodes/values`).
 */
export function typeIsInferred(column: Column, inspected: readonly Column[], overrides: Readonly<Record<string, TColumnType>> = {}): boolean {
  return overrides[column.name] === undefined && inspected.some((c) => c.name === column.name && c.type === column.type);
}
