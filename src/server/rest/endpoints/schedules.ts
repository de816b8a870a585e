import { z } from "zod";
import { getDependencies, setDependencies, ZDependenciesInput } from "../../services/dependencies";
import { deleteSchedule, getSchedule, previewSchedule, setSchedule, ZScheduleCatchUp, ZScheduleInput, ZScheduleOverlap } from "../../services/schedules";
import { defineEndpoint, reply, ZUuidParams } from "../endpoint";

const tags = ["Triggers"];

const ZSchedule = z.object({
  pipelineId: z.uuid(),
  cron: z.string(),
  timezone: z.string(),
  enabled: z.boolean(),
  overlap: ZScheduleOverlap,
  catchUp: ZScheduleCatchUp,
  description: z.string().describe('The schedule in words: "At 5 minutes past the hour, Europe/Oslo"'),
  next: z.array(z.date()).describe("The next 5 fire times (none while paused)"),
  nextFireAt: z.date().nullable(),
  lastFireAt: z.date().nullable(),
  lastOutcome: z.string().nullable().describe("What the last fire did"),
  updatedAt: z.date(),
});

export const putScheduleEndpoint = defineEndpoint({
  method: "PUT",
  path: "/pipelines/:id/schedule",
  summary: "Schedule a pipeline",
  description:
    "Creates or replaces the pipeline's schedule. An invalid cron expression or timezone is refused with the reason. " +
    "`next` lists the next five fire times; `enabled: false` pauses the schedule (resuming does not catch up the paused time).",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  body: { kind: "json", schema: ZScheduleInput },
  responses: { 200: { description: "The schedule as saved", schema: ZSchedule } },
  handler: async ({ ctx, params, body }) => reply(200, await setSchedule(ctx, params.id, body)),
});

export const getScheduleEndpoint = defineEndpoint({
  method: "GET",
  path: "/pipelines/:id/schedule",
  summary: "Get a pipeline's schedule",
  tags,
  role: "viewer",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: { 200: { description: "The schedule, or null when the pipeline has none", schema: ZSchedule.nullable() } },
  handler: async ({ ctx, params }) => reply(200, await getSchedule(ctx, params.id)),
});

export const deleteScheduleEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/pipelines/:id/schedule",
  summary: "Remove a pipeline's schedule",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: { 204: { description: "Removed (or there was none)" } },
  handler: async ({ ctx, params }) => {
    await deleteSchedule(ctx, params.id);
    return reply(204, undefined);
  },
});

export const previewScheduleEndpoint = defineEndpoint({
  method: "POST",
  path: "/schedules/preview",
  summary: "Describe a cron expression and list its next fire times",
  description: "Checks a cron expression in a timezone without saving anything.",
  tags,
  role: "viewer",
  body: { kind: "json", schema: z.object({ cron: z.string().max(200), timezone: z.string().max(100) }) },
  responses: {
    200: {
      description: "The expression in words and its next five fire times",
      schema: z.object({ cron: z.string(), timezone: z.string(), description: z.string(), next: z.array(z.date()) }),
    },
  },
  handler: async ({ body }) => reply(200, previewSchedule(body)),
});

const ZPipelineRef = z.object({ id: z.uuid(), name: z.string() });
const ZDependencies = z.object({
  mode: z.enum(["any", "all"]),
  upstreams: z.array(ZPipelineRef).describe("Pipelines this one runs after"),
  downstreams: z.array(ZPipelineRef).describe("Pipelines that run after this one"),
});

export const getDependenciesEndpoint = defineEndpoint({
  method: "GET",
  path: "/pipelines/:id/dependencies",
  summary: "Get the pipelines a pipeline runs after, and those that run after it",
  tags,
  role: "viewer",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: { 200: { description: "Its dependencies", schema: ZDependencies } },
  handler: async ({ ctx, params }) => reply(200, await getDependencies(ctx, params.id)),
});

export const putDependenciesEndpoint = defineEndpoint({
  method: "PUT",
  path: "/pipelines/:id/dependencies",
  summary: "Run a pipeline after others succeed",
  description:
    "Mode `any` starts a run after each successful run of any upstream; `all` once every upstream has succeeded since this pipeline last ran. " +
    "Dependencies that would form a cycle are refused (400, `cycle` names the pipelines).",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  body: { kind: "json", schema: ZDependenciesInput },
  responses: { 200: { description: "The dependencies as saved", schema: ZDependencies } },
  handler: async ({ ctx, params, body }) => reply(200, await setDependencies(ctx, params.id, body)),
});
