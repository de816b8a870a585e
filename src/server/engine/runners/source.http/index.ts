/**
 * `source.http`: a REST/JSON API read page by page (./pages.ts) straight into stageRecords, so
 * a run holds one page at a time. The API cannot be read again, so every raw record is kept
 * with where it came from (request, page, index) for lineage. Incremental: the highest cursor
 * value seen is recorded on the node run and becomes the pipeline's cursor when the run succeeds.
 */
import { z } from "zod";
import type { Column } from "@/nodes/contract";
import httpSource from "@/nodes/sources/http";
import type { THttpSourceConfig } from "@/nodes/sources/http-config";
import { valueProblem, violationMessage } from "@/nodes/values";
import { loadHttpConnection } from "../../../connections/http";
import { PreviewUnavailableError } from "../../../errors";
import type { TViolation } from "../../staging/quarantine";
import { keptRecordsRelation } from "../../plan";
import { committedCursor, recordRunCursor } from "../../source-cursors";
import { readKeptRecord, stageRecords, ZRecordsCheckpoint, type TRecordLoadColumn, type TRecordsCheckpoint, type TStagedRecord } from "../../staging/stage-records";
import { defineRunner } from "../contract";
import type { THttpAuth } from "./auth";
import { HttpSourceError } from "./errors";
import { cursorValueOf, higherCursor } from "./incremental";
import { fetchHttpPages, type HttpPage, type HttpPagesPlan } from "./pages";
import { columnValues, inferColumns, isRecordObject, readFieldsOf, recordProblem, unreadFieldCount } from "./rows";

type TConfig = THttpSourceConfig;

/** A preview asks once, briefly: it must answer within seconds. */
const PREVIEW_TIMEOUT_MS = 4000;

function isAbsolute(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

/** The first request of a run or preview: the node's URL (joined to the connection's base URL when it is a path), auth, and the incremental parameter. */
async function planOf(db: Parameters<typeof loadHttpConnection>[0], workspaceId: string, config: TConfig, since: string | undefined): Promise<Omit<HttpPagesPlan, "signal">> {
  let auth: THttpAuth = { type: "none" };
  let url = config.url;
  if (config.connection) {
    const connection = await loadHttpConnection(db, workspaceId, config.connection);
    auth = connection.auth;
    if (!isAbsolute(url)) {
      if (!connection.baseUrl) throw new HttpSourceError(`"${url}" is a path, and the connection "${connection.name}" has no base URL: give the full address (https://…), or set a base URL on the connection`);
      url = `${connection.baseUrl.replace(/\/+$/, "")}/${url.replace(/^\/+/, "")}`;
    }
  } else if (!isAbsolute(url)) {
    throw new HttpSourceError(`"${url}" is a path, not a full address: give the whole URL (https://…), or choose a connection with a base URL`);
  }
  const query = { ...config.query };
  if (config.incremental && since !== undefined) query[config.incremental.param] = since;
  return {
    url,
    method: config.method,
    headers: config.headers,
    query,
    body: config.body,
    records: config.records,
    pagination: config.pagination,
    auth,
    maxPages: config.maxPages,
    timeoutMs: config.timeoutSeconds * 1000,
    retries: config.retries,
    requestsPerSecond: config.requestsPerSecond,
  };
}

const ZKeptWhere = z.object({ page: z.number().int().optional(), index: z.number().int().optional(), request: z.string().optional() });

interface THttpStageResult extends TRecordsCheckpoint {
  pages: number;
  unreadFields: number;
  cursor: string | undefined;
}

function stagedRecord(record: unknown, ordinal: number, page: HttpPage, index: number, load: readonly Column[]): TStagedRecord {
  const raw = JSON.stringify(record) ?? "null";
  const where = { request: page.url, page: page.number, index };
  const problem = recordProblem(record);
  if (problem !== null || !isRecordObject(record)) return { ordinal, values: {}, raw, problems: [problem ?? "the record is not a JSON object"], where };
  return { ordinal, values: columnValues(record, load), raw, where };
}

export default defineRunner("source", {
  node: httpSource,

  stage: (job, config) => {
    const load: TRecordLoadColumn[] = job.node.output.map((c) => ({ name: c.name, type: c.type }));
    if (load.length === 0) throw new Error(`${job.node.id} has no columns yet: preview it to see the fields the API sends, and take them over as columns (Column types)`);
    const read = readFieldsOf(load);
    return {
      load,
      keepsRecords: true,
      resumable: (stored) => {
        const parsed = ZRecordsCheckpoint.safeParse(stored);
        return parsed.success ? parsed.data : null;
      },
      stage: async (staging): Promise<THttpStageResult> => {
        const since = config.incremental ? ((await committedCursor(staging.client, job.runId, job.node.id)) ?? config.incremental.start) : undefined;
        const plan = await planOf(job.pool, job.workspaceId, config, since);
        let cursor = since;
        let pages = 0;
        let unreadFields = 0;
        const incremental = config.incremental;
        async function* records(): AsyncGenerator<TStagedRecord> {
          let ordinal = 0;
          for await (const page of fetchHttpPages({ ...plan, signal: job.signal })) {
            pages = page.number;
            for (const [index, record] of page.records.entries()) {
              if (incremental) cursor = higherCursor(cursor, cursorValueOf(record, incremental.field));
              if (isRecordObject(record)) unreadFields += unreadFieldCount(record, read);
              yield stagedRecord(record, ordinal++, page, index, load);
            }
          }
        }
        // A resumed attempt asks the API again from the start (an API has no offset to seek to): stageRecords skips what is committed.
        const staged = await stageRecords({ ...staging, load, records });
        return { ...staged, pages, unreadFields, cursor };
      },
      complete: async (result, client) => {
        if (config.incremental && result.cursor !== undefined) await recordRunCursor(client, job.runId, job.node.id, result.cursor);
        const logs = [`read ${result.rowsIn} records from ${result.pages} page${result.pages === 1 ? "" : "s"}; ${result.rowsOut} staged, ${result.rowsRejected} quarantined`];
        if (result.unreadFields > 0) logs.push(`${result.unreadFields} field values were not columns of this source and were not loaded; add them under Column types to read them`);
        if (config.incremental) logs.push(result.cursor === undefined ? `incremental: no "${config.incremental.field}" value seen yet` : `incremental: the next run asks for ${config.incremental.param}=${result.cursor} once this run succeeds`);
        return { rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsRejected: result.rowsRejected, checksum: result.checksum, logs };
      },
    };
  },

  sample: async ({ config, db, workspaceId, nodeId, output, limit, signal }) => {
    const timeout = AbortSignal.timeout(PREVIEW_TIMEOUT_MS);
    let first: HttpPage | undefined;
    let plan: Omit<HttpPagesPlan, "signal">;
    try {
      plan = await planOf(db, workspaceId, config, config.incremental?.start);
      const pages = fetchHttpPages({ ...plan, retries: Math.min(plan.retries, 1), timeoutMs: Math.min(plan.timeoutMs, PREVIEW_TIMEOUT_MS), signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      first = (await pages.next()).value ?? undefined;
      await pages.return(undefined);
    } catch (error) {
      if (error instanceof HttpSourceError) throw new PreviewUnavailableError(`${nodeId}: ${error.message}`);
      if (timeout.aborted) throw new PreviewUnavailableError(`${nodeId}: the API did not send its first page within ${PREVIEW_TIMEOUT_MS / 1000} s`);
      throw error;
    }
    const records = (first?.records ?? []).slice(0, limit);
    const inferred = output.length === 0;
    const columns = inferred ? inferColumns(records) : output;
    const rows: (string | null)[][] = [];
    const rejected: { row: number; violations: TViolation[] }[] = [];
    for (const [row, record] of records.entries()) {
      const problem = recordProblem(record);
      if (problem !== null || !isRecordObject(record)) {
        rows.push(columns.map(() => null));
        rejected.push({ row, violations: [{ field: "_raw", rule: "record", value: JSON.stringify(record) ?? null, message: problem ?? "not a JSON object" }] });
        continue;
      }
      const values = columnValues(record, columns);
      rows.push(columns.map((c) => values[c.name] ?? null));
      if (inferred) continue;
      const violations: TViolation[] = [];
      for (const column of columns) {
        const text = values[column.name] ?? null;
        // As the stager loads it: an empty text is NULL for every type but string.
        const problem = text === null || (text === "" && column.type !== "string") ? null : valueProblem(column.type, text);
        if (problem) violations.push({ field: column.name, rule: "type", value: text, message: violationMessage(column.name, problem) });
      }
      if (violations.length > 0) rejected.push({ row, violations });
    }
    const where = `${config.method} ${first?.url ?? plan.url}`;
    const note = inferred
      ? records.length === 0
        ? `The first page (${where}) has no records, so there are no fields to show yet.`
        : `No columns are set yet: these are the fields of the first page (${where}) with the types their values suggest. Take them over as columns so a run loads them and later nodes can use them.`
      : `The first ${records.length} records of the first page (${where}).`;
    return { columns, rows, lines: records.map((_, i) => i), rejected, note };
  },

  readRecord: async ({ pool, runId, nodeId, lineageId }) => {
    const kept = await readKeptRecord(pool, keptRecordsRelation(runId, nodeId), lineageId);
    if (!kept) return { where: { file: null, uploadId: null }, record: null };
    const where = ZKeptWhere.catch({}).parse(kept.where);
    let value: unknown;
    try {
      value = JSON.parse(kept.raw);
    } catch {
      value = kept.raw;
    }
    return { where: { file: null, uploadId: null, ...where }, record: { fields: isRecordObject(value) ? value : { value }, raw: kept.raw } };
  },
});
