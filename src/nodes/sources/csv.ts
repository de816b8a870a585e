import { z } from "zod";
import { defineNode, RESERVED_COLUMN_PREFIX, type Column } from "../contract";
import { columnTypesField, sourceUpload, uploadField } from "./file-source";

const ZCsvConfig = z.object({
  file: uploadField("The uploaded CSV file to read."),
  // Format fields left unset take what was detected when the file was uploaded.
  delimiter: z
    .enum([",", ";", "\t", "|"])
    .optional()
    .meta({ title: "Delimiter", description: "The character between fields. Detected from the file when not set." }),
  quote: z.string().length(1).optional().meta({ title: "Quote character", description: 'Default ".' }),
  header: z
    .boolean()
    .optional()
    .meta({ title: "First row is a header", description: "Otherwise columns are named column_1, column_2, … Detected when not set." }),
  encoding: z
    .enum(["utf-8", "latin1"])
    .optional()
    .meta({ title: "Encoding", description: "UTF-8 (with or without a byte-order mark) or Latin-1 (ISO-8859-1). Default UTF-8, never guessed: records that are not UTF-8 go to quarantine saying so. UTF-16 files with a byte-order mark are decoded when uploaded." }),
  columns: columnTypesField("Overrides the types inferred from a sample (the file's first megabyte). A value that does not fit its column's type goes to quarantine, never changed."),
});

export default defineNode({
  type: "source.csv",
  version: 1,
  ui: {
    title: "CSV file",
    category: "source",
    icon: "file-csv",
    description:
      "Reads an uploaded CSV file, streaming it into the database without holding it in memory. Handles quoted fields " +
      "(also with line breaks), UTF-8, UTF-16 or Latin-1, LF, CRLF or CR line endings, any common delimiter. Column types are inferred from a sample (the first megabyte) and " +
      "can be overridden; a later value that would change in its inferred type (a code with a leading zero) is quarantined. A record that does not fit (wrong number of fields, a value that is not of its column's type, " +
      "undecodable bytes) goes to quarantine with the reason; every record keeps its line number for lineage.",
  },
  inputs: [],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZCsvConfig,
  outputSchema: ({ config, upload, report }) => {
    const info = sourceUpload(config.file, { upload, report });
    if (!info) return [];
    const overrides = config.columns ?? {};
    const known = new Set(info.columns.map((c) => c.name));
    for (const name of Object.keys(overrides)) {
      if (!known.has(name)) report({ path: ["columns", name], message: `the file has no column "${name}"` });
    }
    return info.columns.map(
      (c): Column => ({ name: c.name, type: overrides[c.name] ?? c.type }),
    ).filter((c) => !c.name.startsWith(RESERVED_COLUMN_PREFIX));
  },
  execution: { kind: "source", fusesValidate: true },
  capabilities: { acceptsUploads: [{ kind: "csv", label: "CSV", extensions: [".csv", ".tsv", ".txt"] }] },
  example: { file: "upload:00000000-0000-0000-0000-000000000000", delimiter: ",", header: true },
});
