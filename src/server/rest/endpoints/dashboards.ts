import { z } from "zod";
import { controlRoom, MAX_CHARTED_RUNS, pipelineDashboard, ZDashboardRange, ZPipelineDashboard, ZPipelineHealth } from "../../services/dashboards";
import { createControlRoomShare, createShare, listControlRoomShares, listShares, MAX_EMBED_ORIGINS, revokeShare, ZControlRoomShareInput, ZShare, ZShareInput } from "../../services/shares";
import { defineEndpoint, reply, ZUuidParams } from "../endpoint";

const tags = ["Dashboards"];
const ZCreatedShare = ZShare.extend({ url: z.url().describe("The link, with its secret") });
const EMBEDDING =
  `\`embedOrigins\` (at most ${MAX_EMBED_ORIGINS}, such as \`https://wiki.example.com\`) lists the sites whose pages may show the link in an iframe; ` +
  "the page's Content-Security-Policy `frame-ancestors` allows exactly those, and no site may frame it when the list is empty (the default).";

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

export const createShareEndpoint = defineEndpoint({
  method: "POST",
  path: "/pipelines/:id/shares",
  summary: "Create a read-only link to a pipeline's dashboard",
  description:
    "Anyone with the link sees the dashboard (counts, rates, rule names; record values only with `includeSamples`) and nothing else of the workspace. " +
    "The link holds a 256-bit secret that is returned here only; Sluice keeps its SHA-256. Revoke it with DELETE /shares/:id. " +
    EMBEDDING,
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  body: { kind: "json", schema: ZShareInput },
  responses: { 201: { description: "Created", schema: ZCreatedShare } },
  handler: async ({ ctx, params, body }) => reply(201, await createShare(ctx, params.id, body)),
});

export const listSharesEndpoint = defineEndpoint({
  method: "GET",
  path: "/pipelines/:id/shares",
  summary: "List a pipeline's share links (without their secrets)",
  description: "Newest first, revoked and expired ones included, with who created each, when, and when it was last viewed.",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: { 200: { description: "The links", schema: z.array(ZShare) } },
  handler: async ({ ctx, params }) => reply(200, await listShares(ctx, params.id)),
});

export const createControlRoomShareEndpoint = defineEndpoint({
  method: "POST",
  path: "/dashboards/control-room/shares",
  summary: "Create a read-only link to the control room",
  description:
    "Anyone with the link sees every pipeline's name and health, last and next run, 7-day success rate and open quarantine count, refreshed every few seconds; " +
    "no ids, no run error texts, no record values, and nothing else of the workspace. The link holds a 256-bit secret that is returned here only. " +
    EMBEDDING,
  tags,
  role: "editor",
  body: { kind: "json", schema: ZControlRoomShareInput },
  responses: { 201: { description: "Created", schema: ZCreatedShare } },
  handler: async ({ ctx, body }) => reply(201, await createControlRoomShare(ctx, body)),
});

export const listControlRoomSharesEndpoint = defineEndpoint({
  method: "GET",
  path: "/dashboards/control-room/shares",
  summary: "List the control room's share links (without their secrets)",
  description: "Newest first, revoked and expired ones included, with who created each, when, and when it was last viewed.",
  tags,
  role: "editor",
  responses: { 200: { description: "The links", schema: z.array(ZShare) } },
  handler: async ({ ctx }) => reply(200, await listControlRoomShares(ctx)),
});

export const revokeShareEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/shares/:id",
  summary: "Revoke a share link at once",
  tags,
  role: "editor",
  resource: "Share link",
  params: ZUuidParams,
  responses: { 204: { description: "Revoked" } },
  handler: async ({ ctx, params }) => {
    await revokeShare(ctx, params.id);
    return reply(204, undefined);
  },
});
