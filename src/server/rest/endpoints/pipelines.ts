import { z } from "zod";
import { ZPipelineGraph } from "@/nodes/pipeline";
import { createPipeline, deletePipeline, duplicatePipeline, getPipeline, listPipelines, pipelineDeletionImpact, renamePipeline, updatePipeline } from "../../services/pipelines";
import { startRun, ZRunParams } from "../../services/runs";
import { defineEndpoint, reply, ZUuidParams } from "../endpoint";
import { ZPipelineDetail, ZPipelineName, ZPipelineRef, ZRunStatus } from "../schemas";

const tags = ["Pipelines"];

export const createPipelineEndpoint = defineEndpoint({
  method: "POST",
  path: "/pipelines",
  summary: "Create a pipeline",
  description: "Saves the graph as version 1. `name` defaults to the graph's name.",
  tags,
  role: "editor",
  body: { kind: "json", schema: z.object({ name: ZPipelineName.optional(), graph: ZPipelineGraph }) },
  responses: { 201: { description: "Created", schema: ZPipelineRef } },
  handler: async ({ ctx, body }) => reply(201, await createPipeline(ctx, body)),
});

const ZPipelineSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  latestVersion: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
  lastRun: z.object({ id: z.uuid(), status: ZRunStatus, createdAt: z.date() }).nullable(),
});

export const listPipelinesEndpoint = defineEndpoint({
  method: "GET",
  path: "/pipelines",
  summary: "List pipelines",
  description: "Most recently updated first, each with its latest run. Pass `nextCursor` back as `cursor` for the next page; it is absent on the last page.",
  tags,
  role: "viewer",
  query: z.object({
    limit: z.coerce.number().int().min(1).max(200).default(50).describe("Pipelines per page, 1–200 (default 50)"),
    cursor: z.uuid("use the nextCursor of the previous page").optional().describe("nextCursor of the previous page"),
  }),
  responses: { 200: { description: "One page of pipelines", schema: z.object({ pipelines: z.array(ZPipelineSummary), nextCursor: z.uuid().optional() }) } },
  handler: async ({ ctx, query }) => {
    const found = await listPipelines(ctx, query);
    const page = found.slice(0, query.limit);
    return reply(200, {
      pipelines: page.map((p) => ({ id: p.id, name: p.name, latestVersion: p.latestVersion, createdAt: p.createdAt, updatedAt: p.updatedAt, lastRun: p.lastRun })),
      nextCursor: found.length > query.limit ? page.at(-1)?.id : undefined,
    });
  },
});

export const getPipelineEndpoint = defineEndpoint({
  method: "GET",
  path: "/pipelines/:id",
  summary: "Get a pipeline",
  description: "The latest version, or the one named by `version`.",
  tags,
  role: "viewer",
  resource: "Pipeline",
  params: ZUuidParams,
  query: z.object({ version: z.coerce.number().int().positive().optional().describe("A version number; the latest when absent") }),
  responses: { 200: { description: "The pipeline at the requested version", schema: ZPipelineDetail } },
  handler: async ({ ctx, params, query }) => reply(200, await getPipeline(ctx, params.id, query.version)),
});

export const updatePipelineEndpoint = defineEndpoint({
  method: "PUT",
  path: "/pipelines/:id",
  summary: "Save a new version of a pipeline",
  description: "Versions are immutable: every save adds one. Runs keep the version they started with.",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  body: { kind: "json", schema: z.object({ name: ZPipelineName.optional(), graph: ZPipelineGraph }) },
  responses: { 200: { description: "The new version", schema: ZPipelineRef } },
  handler: async ({ ctx, params, body }) => reply(200, await updatePipeline(ctx, params.id, body)),
});

export const startRunEndpoint = defineEndpoint({
  method: "POST",
  path: "/pipelines/:id/runs",
  summary: "Start a run",
  description:
    "Queues a run of the latest version (or `version`). Poll `GET /runs/{runId}` for progress. `params` are checked against " +
    "the parameters the version declares (`params` in the pipeline JSON): unknown names and missing required ones are refused, " +
    "text is converted only when exact (\"42\" for a number, \"true\" for a boolean, YYYY-MM-DD for a date), defaults fill the rest; " +
    "a refusal is a 400 whose `field` names the parameter.",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  body: {
    kind: "json",
    schema: z.object({
      version: z.number().int().positive().optional().describe("The version to run; the latest when absent"),
      params: ZRunParams.optional(),
    }),
  },
  responses: {
    202: { description: "Queued", schema: z.object({ runId: z.uuid() }) },
    400: { description: "A parameter is unknown, missing or of the wrong type, or the pipeline cannot run (the message says why)" },
  },
  handler: async ({ ctx, params, body }) =>
    reply(202, await startRun(ctx, { pipelineId: params.id, version: body.version, params: body.params, trigger: "api" })),
});

export const renamePipelineEndpoint = defineEndpoint({
  method: "PATCH",
  path: "/pipelines/:id",
  summary: "Rename a pipeline",
  description:
    "Changes the name without saving a new version (runs and versions stay as they are). Names are unique in a workspace, " +
    "ignoring case and surrounding spaces: a taken name is a 409.",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  body: { kind: "json", schema: z.object({ name: ZPipelineName }) },
  responses: {
    200: { description: "Renamed", schema: z.object({ id: z.uuid(), name: z.string() }) },
    409: { description: "Another pipeline of the workspace has this name" },
  },
  handler: async ({ ctx, params, body }) => reply(200, await renamePipeline(ctx, params.id, body.name)),
});

export const duplicatePipelineEndpoint = defineEndpoint({
  method: "POST",
  path: "/pipelines/:id/duplicate",
  summary: "Duplicate a pipeline",
  description:
    "Creates “Copy of <name>” (numbered when taken) whose version 1 is the latest version's graph. Nothing else is copied: " +
    "no runs, schedule, webhook, dependencies, alert rules or share links.",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: { 201: { description: "The copy", schema: z.object({ id: z.uuid(), name: z.string(), version: z.number().int().positive() }) } },
  handler: async ({ ctx, params }) => reply(201, await duplicatePipeline(ctx, params.id)),
});

const ZDeletionImpact = z.object({
  id: z.uuid(),
  name: z.string(),
  runs: z.number().int().describe("Runs deleted with the pipeline"),
  activeRuns: z.number().int().describe("Queued or running: deleting is refused while this is above 0"),
  quarantined: z.number().int().describe("Quarantined records of those runs, deleted with them"),
  schedule: z.boolean(),
  webhook: z.boolean(),
  shares: z.number().int().describe("Live share links, revoked by deleting"),
  downstreams: z.number().int().describe("Pipelines that run after this one; they lose the dependency"),
  alertRules: z.number().int(),
  keptTables: z.array(z.string()).describe("Destination tables (schema.table) of the latest version: kept"),
});

export const pipelineDeletionImpactEndpoint = defineEndpoint({
  method: "GET",
  path: "/pipelines/:id/deletion-impact",
  summary: "What deleting a pipeline would remove",
  description: "Counts what `DELETE /pipelines/{id}` takes with it, and the destination tables it keeps.",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: { 200: { description: "What would go and what stays", schema: ZDeletionImpact } },
  handler: async ({ ctx, params }) => reply(200, await pipelineDeletionImpact(ctx, params.id)),
});

export const deletePipelineEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/pipelines/:id",
  summary: "Delete a pipeline",
  description:
    "Deletes the pipeline, its versions, runs (with their data and quarantined records), schedule, webhook, dependencies, " +
    "alert rules and share links. Destination tables are kept. Refused (409) while a run is queued or running.",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: {
    200: { description: "Deleted, with what went", schema: z.object({ id: z.uuid(), name: z.string(), runs: z.number().int(), quarantined: z.number().int() }) },
    409: { description: "A run of the pipeline is queued or running" },
  },
  handler: async ({ ctx, params }) => reply(200, await deletePipeline(ctx, params.id)),
});
