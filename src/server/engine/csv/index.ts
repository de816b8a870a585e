/**
 * The CSV source: inspection for uploads and previews, and streaming into a staging table.
 *
 * Wiring a `source.csv` run:
 * 1. `inspectCsv(file)` at upload time gives the format and the file's columns
 *    (`fileColumns` = their names, in order; the node's `columns` config overrides types).
 * 2. `createStagingTable(client, target, load)` on a dedicated connection.
 * 3. `stageCsv({ ..., resumeFrom: <node_runs.checkpoint parsed with ZCsvCheckpoint, or null>,
 *    saveCheckpoint: write node_runs.checkpoint and row counts on the given client })`.
 *    It commits per chunk, so a retried job passes the last saved checkpoint and the
 *    staging table as that chunk left it.
 */
export { ZCsvFormat, type TCsvFormat, type TCsvFormatInput } from "./format";
export { inspectCsv, INSPECT_BYTES, SAMPLE_ROWS, type TCsvInspection } from "./inspect";
export { columnNamesFromHeader, generatedColumnNames } from "./column-names";
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
