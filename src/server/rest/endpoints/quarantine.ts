import { z } from "zod";
import { startReingest } from "../../services/reingest";
import { editQuarantinedRecord } from "../../services/quarantine";
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
    "Sends the records (open or fixed) back through the pipeline from the node that rejected them, as a new run linked to " +
    "the original (one run per original run). Records that pass are loaded; records that fail again return to quarantine " +
    "with their new errors. `version: \"current\"` replays under the pipeline's latest version instead of the pinned one.",
  tags,
  role: "editor",
  resource: "Quarantined record",
  body: {
    kind: "json",
    schema: z.object({
      ids: z.array(z.union([z.string().regex(/^\d{1,19}$/), z.number().int().positive()]).transform((id) => BigInt(id))).min(1).max(10_000),
      version: z.enum(["pinned", "current"]).default("pinned"),
    }),
  },
  responses: {
    202: {
      description: "The re-ingest run (the first, when the records came from several runs) and every run started",
      schema: z.object({ runId: z.uuid(), runIds: z.array(z.uuid()), records: z.number().int() }),
    },
    409: { description: "None of the records can be re-ingested (already re-ingested, discarded, or on their way back)" },
  },
  handler: async ({ ctx, body }) => {
    const started = await startReingest(ctx, { ids: body.ids }, { version: body.version });
    return reply(202, { runId: started.runIds[0]!, ...started });
  },
});
