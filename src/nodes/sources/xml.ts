import { z } from "zod";
import { defineNode } from "../contract";
import { columnTypesField, recordSourceColumns, sourceUpload, uploadField } from "./file-source";

const XML_FILE_NAME = /\.xml$/i;

const ZXmlConfig = z.object({
  file: uploadField("The uploaded XML file to read."),
  record: z
    .string()
    .trim()
    .min(1)
    .regex(/^[^\s<>"'=]+$/, "an element name or a path of names (feed/items/item)")
    .optional()
    .meta({
      title: "Record element",
      description:
        "The element that holds one record: its name (item, or ns:item with a namespace prefix) or a path ending in it (items/item). " +
        "Detected from the file when not set: the shallowest element that repeats.",
    }),
  columns: columnTypesField(
    "Overrides the types inferred from the file's first megabyte, and adds fields that appear only later in the file. Values that do not fit go to quarantine.",
  ),
});
export type TXmlConfig = z.output<typeof ZXmlConfig>;

/** The record element set (when set) changes what inspecting the upload finds. */
export const xmlUploadOptions = (config: TXmlConfig) => (config.record === undefined ? undefined : { record: config.record });

export default defineNode({
  type: "source.xml",
  version: 1,
  ui: {
    title: "XML file",
    category: "source",
    icon: "file-xml",
    description:
      "Reads an uploaded XML file, streaming it into the database without holding it in memory. " +
      "Each record element becomes one row: its attributes and child elements are columns (id, name), deeper ones by path " +
      "(address.city, item.id for a child's attribute); namespace prefixes are left out of column names. Values are the text the file holds, " +
      "types inferred from a sample (the first megabyte) as for CSV files and never changing a value. A record with a field " +
      "met twice, or a value that does not fit its column, goes to quarantine with the reason. For safety a file declaring a DTD " +
      "(<!DOCTYPE …>) is refused, so entities are never expanded and nothing outside the file is read; XML that is not well-formed " +
      "fails the node with the line and column where it breaks. Lineage: the line the record's element starts on.",
  },
  inputs: [],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZXmlConfig,
  uploadOptions: xmlUploadOptions,
  outputSchema: ({ config, upload, report }) => {
    const info = sourceUpload(config.file, { upload, report }, { options: xmlUploadOptions(config), problemPath: ["record"] });
    if (!info || info.problem) return [];
    if (!XML_FILE_NAME.test(info.filename)) {
      report({ path: ["file"], message: `${info.filename} is not an XML file (.xml): use the source for its format` });
      return [];
    }
    return recordSourceColumns(info.columns, config.columns ?? {}, report);
  },
  execution: { kind: "source" },
  capabilities: { acceptsUploads: [{ kind: "xml", label: "XML", extensions: [".xml"] }] },
  example: { file: "upload:00000000-0000-0000-0000-000000000000", record: "item" },
});
