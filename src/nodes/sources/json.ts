import { z } from "zod";
import { defineNode, RESERVED_COLUMN_PREFIX, type Column, type ConfigProblem } from "../contract";
import { identifierProblem } from "../sql";
import { columnTypesField, sourceUpload, uploadField } from "./file-source";

export const JSON_FORMATS = ["array", "ndjson"] as const;
export const ZJsonFormat = z.enum(JSON_FORMATS);
export type TJsonFormat = z.infer<typeof ZJsonFormat>;

const JSON_FILE_NAME = /\.(json|ndjson|jsonl)$/i;

const ZJsonConfig = z.object({
  file: uploadField("The uploaded JSON or NDJSON file to read."),
  format: ZJsonFormat.optional().meta({
    title: "Format",
    description: "array: one JSON array of objects. ndjson: one object per line. Detected from the file when not set.",
  }),
  flatten: z
    .boolean()
    .optional()
    .meta({
      title: "Flatten nested objects",
      description: "Nested objects become columns by path (address.city). Off: each top-level field is a column, objects kept as JSON. Default on.",
    }),
  columns: columnTypesField(
    "Overrides the types inferred from the file's first megabyte, and adds fields that appear only later in the file. Values that do not fit go to quarantine.",
  ),
});
export type TJsonConfig = z.output<typeof ZJsonConfig>;

/**
 * The columns a JSON source produces from the columns its upload's inspection found.
 * The inspection lists every path of the (flattened) sample: a path where an object was
 * seen is listed too, as a `json` column, before the paths inside it. So:
 * - flattened, such a container is dropped in favour of its fields, unless `columns` sets
 *   it to json (then it is kept whole and its fields are dropped);
 * - not flattened, the columns are the top-level paths (a path none of whose dotted
 *   prefixes is listed), containers staying json.
 * `columns` then overrides types and appends paths the sample did not show.
 */
export function jsonSourceColumns(
  inspected: readonly Column[],
  config: Pick<TJsonConfig, "flatten" | "columns">,
  report: (problem: ConfigProblem) => void = () => {},
): Column[] {
  const flatten = config.flatten ?? true;
  const overrides = config.columns ?? {};
  const names = new Set(inspected.map((c) => c.name));
  const prefixesOf = (name: string): string[] => {
    const prefixes: string[] = [];
    for (let i = name.indexOf("."); i >= 0; i = name.indexOf(".", i + 1)) prefixes.push(name.slice(0, i));
    return prefixes;
  };
  const containers = new Set(inspected.flatMap((c) => prefixesOf(c.name)).filter((p) => names.has(p)));
  let kept: Column[];
  if (flatten) {
    const wholeJson = [...containers].filter((name) => overrides[name] === "json");
    kept = inspected.filter(
      (c) => (!containers.has(c.name) || wholeJson.includes(c.name)) && !prefixesOf(c.name).some((p) => wholeJson.includes(p)),
    );
  } else {
    kept = inspected.filter((c) => !prefixesOf(c.name).some((p) => names.has(p)));
  }
  const keptNames = new Set(kept.map((c) => c.name));
  const columns = kept.map((c): Column => ({ name: c.name, type: overrides[c.name] ?? c.type }));
  for (const [name, type] of Object.entries(overrides)) {
    if (keptNames.has(name)) continue;
    if (names.has(name)) {
      report({
        path: ["columns", name],
        message: flatten
          ? `"${name}" lies inside a field read whole as json`
          : `"${name}" is a nested field: with flattening off, only top-level fields are columns`,
      });
      continue;
    }
    const problem = name.startsWith(RESERVED_COLUMN_PREFIX) ? `names starting with ${RESERVED_COLUMN_PREFIX} are reserved` : identifierProblem(name);
    if (problem) {
      report({ path: ["columns", name], message: `"${name}" cannot be a column: ${problem}` });
      continue;
    }
    columns.push({ name, type });
  }
  return columns.filter((c) => !c.name.startsWith(RESERVED_COLUMN_PREFIX));
}

export default defineNode({
  type: "source.json",
  version: 1,
  ui: {
    title: "JSON file",
    category: "source",
    icon: "file-json",
    description:
      "Reads an uploaded JSON file, streaming it into the database without holding it in memory: either one array of " +
      "objects ([{…}, {…}]) or NDJSON (one object per line, also .jsonl). Nested objects become columns by path " +
      "(address.city) unless flattening is off; arrays, and objects when flattening is off, are kept as JSON columns. " +
      "Column types are inferred from a sample (the first megabyte), never changing a value, and can be overridden; a text like \"42\" is accepted for a number " +
      "column, as in CSV files. Fields that are not columns are ignored, and the run log counts them (add them under " +
      "Column types to read them). A record that is not an object, a value that does not fit its column, or an NDJSON " +
      "line that is not valid JSON goes to quarantine with the reason. A broken array (invalid JSON, cut off) fails the " +
      "node with the line and column where it breaks. Lineage: in an array, a record's position (0-based index); in " +
      "NDJSON, its line number (1-based).",
  },
  inputs: [],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZJsonConfig,
  outputSchema: ({ config, upload, report }) => {
    const info = sourceUpload(config.file, { upload, report });
    if (!info) return [];
    if (!JSON_FILE_NAME.test(info.filename)) {
      report({ path: ["file"], message: `${info.filename} is not a JSON file (.json, .ndjson or .jsonl): use a CSV source for it` });
      return [];
    }
    return jsonSourceColumns(info.columns, config, report);
  },
  execution: { kind: "source" },
  capabilities: { acceptsUploads: [{ kind: "json", label: "JSON", extensions: [".json", ".ndjson", ".jsonl"] }] },
  example: { file: "upload:00000000-0000-0000-0000-000000000000", format: "ndjson", flatten: true },
});
