/**
 * The JSON source: inspection for uploads, and streaming into a staging table.
 *
 * Wiring a `source.json` run (see `executeJsonSource` in ../execute.ts):
 * 1. `inspectJson(file)` at upload time gives the format and every path of the sample;
 *    `jsonSourceColumns` (`@/nodes/sources/json`) makes the node's columns from them.
 * 2. `createJsonStagingTable(client, target, load)` on a dedicated connection.
 * 3. `stageJson({ ..., resumeFrom: <node_runs.checkpoint parsed with ZJsonCheckpoint, or null>,
 *    saveCheckpoint })`: it commits per chunk, so a retried job passes the last saved
 *    checkpoint and the staging table as that chunk left it.
 */
export { inspectJson, INSPECT_BYTES, JsonInspectionError, MAX_COLUMNS, type TJsonInspection } from "./inspect";
export { readJsonRecord, type TJsonSourceRecord } from "./read-record";
export {
  createJsonStagingTable,
  DEFAULT_CHUNK_ROWS,
  stageJson,
  ZJsonCheckpoint,
  type TJsonCheckpoint,
  type TJsonLoadColumn,
  type TStageJsonArgs,
  type TStageJsonResult,
} from "./stage";
