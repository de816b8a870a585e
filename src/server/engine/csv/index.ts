/** The CSV source: inspection for uploads and previews, and streaming into a staging table. */
export { ZCsvFormat, type TCsvFormat, type TCsvFormatInput } from "./format";
export { inspectCsv, INSPECT_BYTES, SAMPLE_ROWS, type TCsvInspection } from "./inspect";
export { columnNamesFromHeader, generatedColumnNames } from "./column-names";
export { RAW_RECORD_KEY, type TQuarantineOwner, type TViolation } from "./quarantine";
export {
  createStagingTable,
  DEFAULT_CHUNK_ROWS,
  stageCsv,
  ZCsvCheckpoint,
  type TCsvCheckpoint,
  type TFieldCheck,
  type TLoadColumn,
  type TStageCsvArgs,
  type TStageCsvResult,
} from "./stage";
