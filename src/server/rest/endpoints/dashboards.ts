import { z } from "zod";
import { controlRoom, MAX_CHARTED_RUNS, pipelineDashboard, ZDashboardRange, ZPipelineDashboard, ZPipelineHealth } from "../../services/dashboards";
import { defineEndpoint, reply, ZUuidParams } from "../endpoint";

const tags = ["Dashboards"];

export const pipelineDashboardEndpoint = defineEndpoint({
  method: "GET",
  path: "/pipelines/:id/dashboard",
  summary: "A pipeline's run dashboard over a time range",
  description:
    `Per run (the newest ${MAX_CHARTED_RUNS} finished in the range, oldest first): rows read, loaded, quarantined and discarded, reject rate, duration and node durations; ` +
    "violations by day, validate node, field and rule; the quarantine backlog by status; freshness against the schedule; the latest 10 runs. " +
    "`from` and `to` are ISO instants (default: the last 30 days).",
  tags,
  role: "viewer",
  resource: "Pipeline",
  params: ZUuidParams,
  query: ZDashboardRange,
  responses: { 200: { description: "The dashboard's data", schema: ZPipelineDashboard } },
  handler: async ({ ctx, params, query }) => reply(200, await pipelineDashboard(ctx, params.id, query)),
});

export const controlRoomEndpoint = defineEndpoint({
  method: "GET",
  path: "/dashboards/control-room",
  summary: "Every pipeline's health, worst first",
  description:
    "Health is `failing` (the last run failed), `late` (no success within the freshness rule's limit, or two schedule periods), " +
    "`drifting` (an open schema-drift incident) or `healthy`; with last and next run, 7-day success rate and open quarantine.",
  tags,
  role: "viewer",
  responses: { 200: { description: "The pipelines", schema: z.array(ZPipelineHealth) } },
  handler: async ({ ctx }) => reply(200, await controlRoom(ctx)),
});
