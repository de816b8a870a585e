import { z } from "zod";
import { csvDownload } from "../../http/web-stream";
import { startReingest } from "../../services/reingest";
import {
  applyBulkFix,
  countQuarantine,
  discardQuarantined,
  editQuarantinedRecord,
  exportQuarantineCsv,
  getQuarantineDetail,
  previewBulkFix,
  quarantineErrorGroups,
  searchQuarantine,
  ZBulkFix,
  ZQuarantineFilter,
} from "../../services/quarantine";
import { defineEndpoint, reply } from "../endpoint";

const tags = ["Quarantine"];

export const ZQuarantinedRecord = z.object({
  id: z.bigint(),
  nodeId: z.string().describe("The validate node that rejected the record"),
  lineageId: z.string(),
  record: z.unknown().describe("The record's fields as text, by column name"),
  errors: z.unknown().describe("Every violation: [{ field, rule, value, message }]"),
  status: z.enum(["open", "fixed", "reingested", "discarded"]),
  history: z.unknown().describe("Every edit, re-ingest and discard: [{ at, by, action, before?, after?, fix?, reason?, runId?, outcome? }]; a re-ingest entry names its run and its outcome: passed (loaded), failed (its checks again), runFailed or runCanceled (passed its checks, not loaded; the record keeps its status)"),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/** Quarantine ids are a sequence; anything else cannot name a record. */
const ZQuarantineParams = z.object({ id: z.string().regex(/^\d{1,19}$/).transform((id) => BigInt(id)) });

const ZRecordIdText = z.union([z.string().regex(/^[1-9][0-9]{0,18}$/, "a quarantined record id is a positive whole number"), z.number().int().positive()]);

/** The filters of the Quarantine screen, as the body of a bulk action. */
const ZBodyFilter = ZQuarantineFilter.extend({
  from: z.iso.datetime({ offset: true }).transform((text) => new Date(text)).optional().describe("Quarantined at or after this instant (ISO 8601)"),
  to: z.iso.datetime({ offset: true }).transform((text) => new Date(text)).optional().describe("Quarantined before this instant (ISO 8601)"),
});

/** Records to act on: picked by id, or everything a filter matches (`{}` matches the whole workspace). */
const ZTarget = z.union([
  z.object({ ids: z.array(ZRecordIdText.transform((id) => BigInt(id))).min(1).max(10_000).describe("Record ids, at most 10,000") }),
  z.object({ filter: ZBodyFilter.describe("Every record matching these filters") }),
]);

/** The same filters as query parameters. */
const ZQueryFilter = ZBodyFilter.extend({
  status: ZQuarantineFilter.shape.status.describe('One status, or "review": open or fixed'),
});

const ZViolation = z.object({ field: z.string(), rule: z.string(), value: z.string().nullable(), message: z.string() });

/** Field values are stored as text; numbers and booleans are accepted and written as their text. */
const ZFieldValue = z.union([z.string(), z.number().transform(String), z.boolean().transform(String), z.null()]);

export const editQuarantinedRecordEndpoint = defineEndpoint({
  method: "PATCH",
  path: "/quarantine/:id",
  summary: "Correct a quarantined record",
  description: "Replaces the record's fields, keeps the previous version in its history and marks it fixed, ready to re-ingest.",
  tags,
  role: "editor",
  resource: "Quarantined record",
  params: ZQuarantineParams,
  body: { kind: "json", schema: z.object({ record: z.record(z.string(), ZFieldValue).describe("The corrected record, every field") }) },
  responses: { 200: { description: "The updated record", schema: ZQuarantinedRecord.extend({ runId: z.uuid() }) }, 409: { description: "The record was already re-ingested or discarded" } },
  handler: async ({ ctx, params, body }) => reply(200, await editQuarantinedRecord(ctx, params.id, body.record)),
});

export const reingestEndpoint = defineEndpoint({
  method: "POST",
  path: "/quarantine/reingest",
  summary: "Re-ingest quarantined records",
  description:
    "Sends the records (picked by `ids`, or every record a `filter` matches; open or fixed) back through the pipeline from the node that rejected them, as a new run linked to " +
    "the original (one run per original run). Records that pass are loaded; records that fail again return to quarantine " +
    "with their new errors. `version: \"current\"` replays under the pipeline's latest version instead of the pinned one.",
  tags,
  role: "editor",
  resource: "Quarantined record",
  body: {
    kind: "json",
    schema: ZTarget.and(z.object({ version: z.enum(["pinned", "current"]).default("pinned") })),
  },
  responses: {
    202: {
      description: "The re-ingest run (the first, when the records came from several runs) and every run started",
      schema: z.object({ runId: z.uuid(), runIds: z.array(z.uuid()), records: z.number().int() }),
    },
    409: { description: "None of the records can be re-ingested (already re-ingested, discarded, or on their way back)" },
  },
  handler: async ({ ctx, body }) => {
    const started = await startReingest(ctx, body, { version: body.version });
    return reply(202, { runId: started.runIds[0]!, ...started });
  },
});

export const searchQuarantineEndpoint = defineEndpoint({
  method: "GET",
  path: "/quarantine",
  summary: "Search quarantined records",
  description:
    "Across runs and pipelines, narrowed by every filter given. Oldest first (`order=desc`: newest first). Pass `nextCursor` back as `cursor` " +
    "for the next page; it is absent on the last page. `total` counts every match (exactly up to 1,000,000).",
  tags,
  role: "viewer",
  query: ZQueryFilter.extend({
    order: z.enum(["asc", "desc"]).default("asc"),
    limit: z.coerce.number().int().min(1).max(500).default(100).describe("Records per page, 1–500 (default 100)"),
    cursor: z.string().regex(/^\d{1,19}$/, "use the nextCursor of the previous page").optional().describe("nextCursor of the previous page"),
  }),
  responses: {
    200: {
      description: "One page of records",
      schema: z.object({
        records: z.array(
          z.object({
            id: z.string(),
            runId: z.uuid(),
            nodeId: z.string(),
            lineageId: z.string(),
            record: z.record(z.string(), z.string().nullable()),
            errors: z.array(ZViolation),
            status: z.enum(["open", "fixed", "reingested", "discarded"]),
            historyCount: z.number().int(),
            reingestRunId: z.uuid().nullable(),
            createdAt: z.date(),
            updatedAt: z.date(),
          }),
        ),
        total: z.number().int(),
        nextCursor: z.string().optional(),
      }),
    },
  },
  handler: async ({ ctx, query }) => {
    const { order, limit, cursor, ...filter } = query;
    const [page, total] = await Promise.all([
      searchQuarantine(ctx, { filter, order, limit, cursor: cursor === undefined ? undefined : BigInt(cursor) }),
      countQuarantine(ctx, filter),
    ]);
    return reply(200, { records: page.records, total: Number(total.count), nextCursor: page.nextCursor?.toString() });
  },
});

export const quarantineGroupsEndpoint = defineEndpoint({
  method: "GET",
  path: "/quarantine/groups",
  summary: "Violations grouped by field and rule",
  description: "The 50 largest groups among the matching records, each with how many records break it and one message as an example.",
  tags,
  role: "viewer",
  query: ZQueryFilter,
  responses: {
    200: {
      description: "Largest first",
      schema: z.object({ groups: z.array(z.object({ field: z.string(), rule: z.string(), records: z.number().int(), example: z.string() })) }),
    },
  },
  handler: async ({ ctx, query }) => reply(200, { groups: await quarantineErrorGroups(ctx, query) }),
});

export const exportQuarantineEndpoint = defineEndpoint({
  method: "GET",
  path: "/quarantine.csv",
  summary: "Every matching quarantined record, as a CSV download",
  description: "Takes the filters of GET /quarantine. One column per field plus the record's id, run, node, status and errors; cells are safe to open in a spreadsheet.",
  tags,
  role: "viewer",
  query: ZQueryFilter,
  responses: { 200: { description: "Streamed as it is read", mediaType: "text/csv" } },
  handler: async ({ ctx, query }) => csvDownload(await exportQuarantineCsv(ctx, query), `quarantine-${new Date().toISOString().slice(0, 10)}.csv`),
});

export const getQuarantinedRecordEndpoint = defineEndpoint({
  method: "GET",
  path: "/quarantine/:id",
  summary: "Get a quarantined record with its whole history",
  tags,
  role: "viewer",
  resource: "Quarantined record",
  params: ZQuarantineParams,
  responses: { 200: { description: "The record", schema: ZQuarantinedRecord.extend({ id: z.string(), runId: z.uuid() }) } },
  handler: async ({ ctx, params }) => reply(200, await getQuarantineDetail(ctx, params.id)),
});

const ZFixBody = z.object({
  target: ZTarget,
  fix: ZBulkFix.describe('What to write into `field`: `{ kind: "value", field, value }`, `{ kind: "null", field }`, or `{ kind: "expression", field, expression }` (e.g. `aqi / 10`)'),
});

export const previewQuarantineFixEndpoint = defineEndpoint({
  method: "POST",
  path: "/quarantine/fixes/preview",
  summary: "Preview a bulk fix",
  description: "How many open or fixed records the fix would change, and before → after for the first 20. Changes nothing.",
  tags,
  role: "viewer",
  body: { kind: "json", schema: ZFixBody },
  responses: {
    200: {
      description: "What the fix would do",
      schema: z.object({
        records: z.number().int(),
        sample: z.array(z.object({ id: z.string(), field: z.string(), before: z.string().nullable(), after: z.string().nullable(), record: z.record(z.string(), z.string().nullable()) })),
      }),
    },
  },
  handler: async ({ ctx, body }) => reply(200, await previewBulkFix(ctx, body.target, body.fix)),
});

export const applyQuarantineFixEndpoint = defineEndpoint({
  method: "POST",
  path: "/quarantine/fixes",
  summary: "Apply a bulk fix",
  description: "Writes the fix into every open or fixed record of the target, keeps the previous values in each record's history and marks them fixed, ready to re-ingest.",
  tags,
  role: "editor",
  body: { kind: "json", schema: ZFixBody },
  responses: { 200: { description: "How many records changed", schema: z.object({ records: z.number().int() }) } },
  handler: async ({ ctx, body }) => reply(200, await applyBulkFix(ctx, body.target, body.fix)),
});

export const discardQuarantinedEndpoint = defineEndpoint({
  method: "POST",
  path: "/quarantine/discard",
  summary: "Discard quarantined records",
  description: "Marks the open or fixed records of the target discarded, with the reason in each record's history. They are kept, never re-ingested.",
  tags,
  role: "editor",
  body: { kind: "json", schema: z.object({ target: ZTarget, reason: z.string().max(2000).describe("Why: kept in each record's history") }) },
  responses: { 200: { description: "How many records were discarded", schema: z.object({ records: z.number().int() }) } },
  handler: async ({ ctx, body }) => reply(200, await discardQuarantined(ctx, body.target, body.reason)),
});
