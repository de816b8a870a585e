import { z } from "zod";
import { auditCsvResponse, listAudit, ZAuditQuery } from "../../audit/list";
import { defineEndpoint, reply } from "../endpoint";

const tags = ["Audit"];

const ZAuditEvent = z.object({
  id: z.string(),
  at: z.date(),
  actor: z.string().describe("A user's name and email, an API token, or \"schedule\""),
  action: z.string().describe('Dotted, past tense by its object: "pipeline.saved", "sign-in.failed"'),
  target: z.string().nullable().describe("What it was done to, e.g. a pipeline id"),
  details: z.unknown(),
  ipAddress: z.string().nullable(),
});

export const listAuditEndpoint = defineEndpoint({
  method: "GET",
  path: "/audit",
  summary: "The workspace's audit log, newest first, with its members' sign-ins",
  description: "Pass the response's nextCursor as `before` for the next page; it is null on the last one.",
  tags,
  role: "owner",
  query: ZAuditQuery,
  responses: { 200: { description: "One page of events", schema: z.object({ events: z.array(ZAuditEvent), nextCursor: z.string().nullable() }) } },
  handler: async ({ ctx, query }) => reply(200, await listAudit(ctx, query)),
});

export const exportAuditEndpoint = defineEndpoint({
  method: "GET",
  path: "/audit.csv",
  summary: "Every audit event the filters match, as a CSV download",
  description: "Takes the filters of GET /audit; `before` and `limit` are ignored, the whole filtered log is written. Cells are safe to open in a spreadsheet.",
  tags,
  role: "owner",
  query: ZAuditQuery.omit({ before: true, limit: true }),
  responses: { 200: { description: "Columns id, at, actor, action, target, details, ip_address", mediaType: "text/csv" } },
  handler: async ({ ctx, query }) => auditCsvResponse(ctx, query),
});
