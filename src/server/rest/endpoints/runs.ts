import { z } from "zod";
import { cancelRun, getRun, listRuns, retryFailedRunNodes } from "../../services/runs";
import { listQuarantine } from "../../services/quarantine";
import { defineEndpoint, reply, ZUuidParams } from "../endpoint";
import { ZRunStatus } from "../schemas";
import { ZQuarantinedRecord } from "./quarantine";

const tags = ["Runs"];

const ZRunTrigger = z.enum(["manual", "api", "schedule", "webhook", "reingest", "dependency"]);

const ZNodeRun = z.object({
  nodeId: z.string(),
  nodeType: z.string(),
  status: ZRunStatus,
  attempt: z.number().int(),
  rowsIn: z.bigint(),
  rowsOut: z.bigint(),
  rowsRejected: z.bigint(),
  rowsKnown: z.bigint().describe("Of the rejected rows: records already in quarantine from an earlier run (seen again, not added)"),
  rowsRemembered: z.bigint().describe("Rows loaded with the fix quarantine remembered for the same source record from an earlier run"),
  rowsTotal: z.bigint().nullable().describe("Rows expected in total, when the node knows up front"),
  checksum: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});

const ZRun = z.object({
  id: z.uuid(),
  pipelineId: z.uuid(),
  pipelineName: z.string(),
  version: z.number().int(),
  trigger: ZRunTrigger,
  status: ZRunStatus,
  params: z.unknown(),
  error: z.string().nullable(),
  parentRunId: z.uuid().nullable().describe("For re-ingest runs: the run whose records are replayed"),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  rowsLoaded: z.bigint().describe("Rows written by the run's destinations"),
  nodes: z.array(ZNodeRun),
});

const ZRunSummary = z.object({
  id: z.uuid(),
  pipelineId: z.uuid(),
  pipelineName: z.string(),
  version: z.number().int(),
  trigger: ZRunTrigger,
  status: ZRunStatus,
  error: z.string().nullable(),
  parentRunId: z.uuid().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  rowsLoaded: z.bigint().describe("Rows written by the run's destinations"),
  rowsRejected: z.bigint().describe("Rows quarantined by the run's validate nodes"),
});

export const listRunsEndpoint = defineEndpoint({
  method: "GET",
  path: "/runs",
  summary: "List runs",
  description: "Newest first. Pass `nextCursor` back as `cursor` for the next page; it is absent on the last page.",
  tags,
  role: "viewer",
  query: z
    .object({
      pipelineId: z.uuid().optional().describe("Only this pipeline's runs"),
      status: ZRunStatus.optional().describe("Only runs with this status"),
      from: z.iso.datetime({ offset: true }).optional().describe("Runs created at or after this instant (ISO 8601)"),
      to: z.iso.datetime({ offset: true }).optional().describe("Runs created before this instant (ISO 8601)"),
      limit: z.coerce.number().int().min(1).max(200).default(50).describe("Runs per page, 1–200 (default 50)"),
      cursor: z.uuid("use the nextCursor of the previous page").optional().describe("nextCursor of the previous page"),
    })
    .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: "from must be before to", path: ["to"] }),
  responses: { 200: { description: "One page of runs", schema: z.object({ runs: z.array(ZRunSummary), nextCursor: z.uuid().optional() }) } },
  handler: async ({ ctx, query }) => {
    const page = await listRuns(ctx, {
      ...query,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    });
    return reply(200, {
      runs: page.runs.map((run) => ({
        id: run.id,
        pipelineId: run.pipelineId,
        pipelineName: run.pipelineName,
        version: run.version,
        trigger: run.trigger,
        status: run.status,
        error: run.error,
        parentRunId: run.parentRunId,
        createdAt: run.createdAt,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        rowsLoaded: run.rowsLoaded,
        rowsRejected: run.rowsRejected,
      })),
      nextCursor: page.nextCursor,
    });
  },
});

export const getRunEndpoint = defineEndpoint({
  method: "GET",
  path: "/runs/:id",
  summary: "Get a run and its node runs",
  tags,
  role: "viewer",
  resource: "Run",
  params: ZUuidParams,
  responses: { 200: { description: "The run", schema: ZRun } },
  handler: async ({ ctx, params }) => {
    const { graph: _graph, nodes, ...run } = await getRun(ctx, params.id);
    return reply(200, { ...run, nodes: nodes.map(({ logs: _logs, ...node }) => node) });
  },
});

export const listRunQuarantineEndpoint = defineEndpoint({
  method: "GET",
  path: "/runs/:id/quarantine",
  summary: "List a run's quarantined records",
  description: "In the order they were rejected. Pass `nextCursor` back as `cursor` for the next page; it is absent on the last page.",
  tags,
  role: "viewer",
  resource: "Run",
  params: ZUuidParams,
  query: z.object({
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe("Records per page, 1–1000 (default 100)"),
    cursor: z.string().regex(/^\d{1,19}$/, "use the nextCursor of the previous page").optional().describe("nextCursor of the previous page"),
    status: z.enum(["open", "fixed", "reingested", "discarded"]).optional().describe("Only records with this status"),
  }),
  responses: {
    200: {
      description: "One page of records",
      schema: z.object({ records: z.array(ZQuarantinedRecord), nextCursor: z.string().optional() }),
    },
  },
  handler: async ({ ctx, params, query }) =>
    reply(
      200,
      await listQuarantine(ctx, {
        runId: params.id,
        limit: query.limit,
        cursor: query.cursor === undefined ? undefined : BigInt(query.cursor),
        status: query.status,
      }),
    ),
});

export const cancelRunEndpoint = defineEndpoint({
  method: "POST",
  path: "/runs/:id/cancel",
  summary: "Cancel a run",
  description:
    "Its running nodes stop within seconds; what they had not committed is rolled back. The run and its unfinished nodes end `canceled`. " +
    "A run that has already finished answers 409.",
  tags,
  role: "editor",
  resource: "Run",
  params: ZUuidParams,
  responses: { 200: { description: "Canceled", schema: z.object({ runId: z.uuid(), status: z.literal("canceled") }) } },
  handler: async ({ ctx, params }) => reply(200, await cancelRun(ctx, params.id)),
});

export const retryRunEndpoint = defineEndpoint({
  method: "POST",
  path: "/runs/:id/retry",
  summary: "Retry the failed nodes of a failed run",
  description: "Runs the failed nodes again, then the nodes they had skipped; nodes that succeeded keep their output. Only a failed run can be retried (else 409).",
  tags,
  role: "editor",
  resource: "Run",
  params: ZUuidParams,
  responses: { 202: { description: "The failed nodes are queued again", schema: z.object({ runId: z.uuid(), nodes: z.array(z.string()).describe("The node ids queued again") }) } },
  handler: async ({ ctx, params }) => reply(202, await retryFailedRunNodes(ctx, params.id)),
});
