import { z } from "zod";
import {
  CHANNEL_TYPES,
  createChannel,
  createRule,
  deleteChannel,
  deleteRule,
  listAlertHistory,
  listChannels,
  listRules,
  RULE_KINDS,
  testChannel,
  updateChannel,
  updateRule,
  ZChannelInput,
  ZChannelUpdate,
  ZHistoryQuery,
  ZRuleInput,
  ZRuleUpdate,
} from "../../services/alerts";
import { createConnection, deleteConnection, listConnections, testConnection, updateConnection, ZConnectionInput, ZConnectionUpdate } from "../../services/connections";
import { defineEndpoint, reply, ZUuidParams } from "../endpoint";

const tags = ["Alerts"];

const ZConnection = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.enum(["smtp", "http"]),
  config: z.record(z.string(), z.unknown()),
  secretsSet: z.array(z.string()).describe("Which secrets are set; their values are never returned"),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const createConnectionEndpoint = defineEndpoint({
  method: "POST",
  path: "/connections",
  summary: "Add a connection (SMTP for email alerts, HTTP for API sources)",
  description:
    "smtp config: `{ host, port (587), security: starttls|tls|none (starttls), username?, from, ca? }`, secrets `{ password? }`. " +
    "http config: `{ baseUrl?, auth: { type: none|bearer|basic|header|query|oauth2, name? (header/query), username? (basic), tokenUrl?, clientId?, scope? (oauth2) } }`, " +
    "secrets `{ token (bearer) | password (basic) | value (header/query) | clientSecret (oauth2) }`. " +
    "Secrets are sealed at rest and never returned by any endpoint.",
  tags: ["Connections"],
  role: "owner",
  body: { kind: "json", schema: ZConnectionInput },
  responses: { 201: { description: "Created", schema: z.object({ id: z.uuid() }) } },
  handler: async ({ ctx, body }) => reply(201, await createConnection(ctx, body)),
});

export const listConnectionsEndpoint = defineEndpoint({
  method: "GET",
  path: "/connections",
  summary: "List the workspace's connections (without secrets)",
  tags: ["Connections"],
  role: "owner",
  responses: { 200: { description: "The connections", schema: z.array(ZConnection) } },
  handler: async ({ ctx }) => reply(200, await listConnections(ctx)),
});

export const updateConnectionEndpoint = defineEndpoint({
  method: "PATCH",
  path: "/connections/:id",
  summary: "Change a connection's name, config or secrets",
  description:
    "`config` replaces the whole config of the connection's type. `secrets` sets the secrets named (null removes one); secrets not named stay as they are, " +
    "so a password need not be sent again to rename a connection. The answer lists which secrets are set, never their values.",
  tags: ["Connections"],
  role: "owner",
  resource: "Connection",
  params: ZUuidParams,
  body: { kind: "json", schema: ZConnectionUpdate },
  responses: { 200: { description: "The connection as saved", schema: ZConnection } },
  handler: async ({ ctx, params, body }) => reply(200, await updateConnection(ctx, params.id, body)),
});

export const deleteConnectionEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/connections/:id",
  summary: "Remove a connection",
  description: "Refused (409) while an email channel sends through it.",
  tags: ["Connections"],
  role: "owner",
  resource: "Connection",
  params: ZUuidParams,
  responses: { 204: { description: "Removed" } },
  handler: async ({ ctx, params }) => {
    await deleteConnection(ctx, params.id);
    return reply(204, undefined);
  },
});

export const testConnectionEndpoint = defineEndpoint({
  method: "POST",
  path: "/connections/:id/test",
  summary: "Check that Sluice can reach and sign in to a connection's server",
  description:
    "For smtp: connects, upgrades to TLS as configured and signs in. For http: fetches an OAuth2 token if configured, then one authenticated GET of the base URL " +
    "(404/405 there still count as reached). `message` says which step failed (DNS, refused, TLS, authentication, HTTP status), never a secret.",
  tags: ["Connections"],
  role: "owner",
  resource: "Connection",
  params: ZUuidParams,
  responses: { 200: { description: "The outcome", schema: z.object({ ok: z.boolean(), message: z.string() }) } },
  handler: async ({ ctx, params }) => reply(200, await testConnection(ctx, params.id)),
});

const ZChannel = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.enum(CHANNEL_TYPES),
  config: z.record(z.string(), z.unknown()).describe("slack `{ urlHint }` (the URL itself is secret), webhook `{ url }`, email `{ to, connectionId }`"),
  createdAt: z.date(),
});

export const createAlertChannelEndpoint = defineEndpoint({
  method: "POST",
  path: "/alert-channels",
  summary: "Add an alert channel",
  description:
    "slack: `config: { url }`, a Slack-compatible incoming webhook (posted `{ text }`). " +
    "webhook: `config: { url }`, posted the message as JSON with `Sluice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>`; " +
    "the `secret` is in this answer only. email: `config: { to: [addresses], connectionId? }`, sent over the workspace's SMTP connection.",
  tags,
  role: "owner",
  body: { kind: "json", schema: ZChannelInput },
  responses: { 201: { description: "Created", schema: z.object({ id: z.uuid(), secret: z.string().optional().describe("webhook channels: the signing secret, shown once") }) } },
  handler: async ({ ctx, body }) => reply(201, await createChannel(ctx, body)),
});

export const listAlertChannelsEndpoint = defineEndpoint({
  method: "GET",
  path: "/alert-channels",
  summary: "List alert channels",
  tags,
  role: "viewer",
  responses: { 200: { description: "The channels", schema: z.array(ZChannel) } },
  handler: async ({ ctx }) => reply(200, await listChannels(ctx)),
});

export const updateAlertChannelEndpoint = defineEndpoint({
  method: "PATCH",
  path: "/alert-channels/:id",
  summary: "Change an alert channel: its name, where it sends, or (webhook) its signing secret",
  description:
    "Fields not sent keep their value; `config` replaces the whole config of the channel's type (slack and webhook `{ url }`, email `{ to, connectionId? }`), " +
    "and the type stays as made. A Slack URL is stored sealed and never returned. `rotateSecret: true` (webhook only) makes a new signing secret, " +
    "returned as `secret` in this answer only; the old one stops working at once.",
  tags,
  role: "owner",
  resource: "Alert channel",
  params: ZUuidParams,
  body: { kind: "json", schema: ZChannelUpdate },
  responses: {
    200: { description: "The channel as saved", schema: ZChannel.extend({ secret: z.string().optional().describe("Only after rotateSecret: the new signing secret, shown once") }) },
  },
  handler: async ({ ctx, params, body }) => reply(200, await updateChannel(ctx, params.id, body)),
});

export const deleteAlertChannelEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/alert-channels/:id",
  summary: "Remove an alert channel",
  description: "Its rules stop sending to it; its delivery history goes with it.",
  tags,
  role: "owner",
  resource: "Alert channel",
  params: ZUuidParams,
  responses: { 204: { description: "Removed" } },
  handler: async ({ ctx, params }) => {
    await deleteChannel(ctx, params.id);
    return reply(204, undefined);
  },
});

export const testAlertChannelEndpoint = defineEndpoint({
  method: "POST",
  path: "/alert-channels/:id/test",
  summary: "Send a test message to a channel",
  description: "One attempt, now; recorded in the history with event `test`.",
  tags,
  role: "editor",
  resource: "Alert channel",
  params: ZUuidParams,
  responses: { 200: { description: "The outcome", schema: z.object({ ok: z.boolean(), message: z.string(), deliveryId: z.uuid() }) } },
  handler: async ({ ctx, params }) => reply(200, await testChannel(ctx, params.id)),
});

const ZRule = z.object({
  id: z.uuid(),
  pipelineId: z.uuid().nullable(),
  pipelineName: z.string().nullable(),
  kind: z.enum(RULE_KINDS),
  threshold: z.number().nullable(),
  window: z.number().nullable(),
  minimum: z.number().nullable(),
  enabled: z.boolean(),
  description: z.string(),
  channelIds: z.array(z.uuid()),
  openIncidents: z.number(),
  createdAt: z.date(),
});

export const createAlertRuleEndpoint = defineEndpoint({
  method: "POST",
  path: "/alert-rules",
  summary: "Add an alert rule",
  description:
    "Kinds: `run_failed` (after its retries), `reject_rate` (threshold: percent), `volume_anomaly` (rows loaded outside mean ± threshold·σ of the last " +
    "`window` successful runs, or below `minimum`), `duration_anomaly` (longer than threshold × the median), `freshness` (no successful run within " +
    "threshold hours, checked every 5 minutes), `schema_drift` (reported by connectors). Without `pipelineId` the rule watches every pipeline. " +
    "One message per incident when it opens and one when it clears.",
  tags,
  role: "editor",
  body: { kind: "json", schema: ZRuleInput },
  responses: { 201: { description: "Created", schema: z.object({ id: z.uuid() }) } },
  handler: async ({ ctx, body }) => reply(201, await createRule(ctx, body)),
});

export const listAlertRulesEndpoint = defineEndpoint({
  method: "GET",
  path: "/alert-rules",
  summary: "List alert rules",
  tags,
  role: "viewer",
  query: z.object({ pipelineId: z.uuid().optional().describe("Only the rules watching this pipeline (its own and the workspace-wide ones)") }),
  responses: { 200: { description: "The rules", schema: z.array(ZRule) } },
  handler: async ({ ctx, query }) => reply(200, await listRules(ctx, query)),
});

export const updateAlertRuleEndpoint = defineEndpoint({
  method: "PATCH",
  path: "/alert-rules/:id",
  summary: "Change an alert rule: enable or disable it, its settings or its channels",
  description:
    "A rule's pipeline and kind stay as made (remove it and add another to change them). Fields not sent keep their value; " +
    "`channelIds` replaces the whole list. The settings are checked against the kind as on creation.",
  tags,
  role: "editor",
  resource: "Alert rule",
  params: ZUuidParams,
  body: { kind: "json", schema: ZRuleUpdate },
  responses: { 200: { description: "The rule as saved", schema: ZRule } },
  handler: async ({ ctx, params, body }) => reply(200, await updateRule(ctx, params.id, body)),
});

export const deleteAlertRuleEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/alert-rules/:id",
  summary: "Remove an alert rule",
  tags,
  role: "editor",
  resource: "Alert rule",
  params: ZUuidParams,
  responses: { 204: { description: "Removed" } },
  handler: async ({ ctx, params }) => {
    await deleteRule(ctx, params.id);
    return reply(204, undefined);
  },
});

const ZHistoryEntry = z.object({
  id: z.uuid(),
  event: z.enum(["firing", "resolved", "test"]),
  status: z.enum(["pending", "sent", "failed"]).describe("pending while attempts remain, failed after the last one"),
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  lastAttemptAt: z.date().nullable(),
  sentAt: z.date().nullable(),
  subject: z.string(),
  text: z.string(),
  links: z.record(z.string(), z.string()),
  channel: z.object({ id: z.uuid(), name: z.string(), type: z.string() }),
  incident: z
    .object({
      id: z.uuid(),
      status: z.enum(["open", "resolved"]),
      ruleId: z.uuid(),
      kind: z.string(),
      pipelineId: z.uuid(),
      pipelineName: z.string(),
      runId: z.uuid().nullable(),
      summary: z.string(),
      figures: z.unknown(),
      repeats: z.number(),
      openedAt: z.date(),
      resolvedAt: z.date().nullable(),
    })
    .nullable(),
});

export const alertHistoryEndpoint = defineEndpoint({
  method: "GET",
  path: "/alerts/history",
  summary: "Sent alerts, newest first, with delivery status and attempts",
  tags,
  role: "viewer",
  query: ZHistoryQuery,
  responses: { 200: { description: "Deliveries", schema: z.array(ZHistoryEntry) } },
  handler: async ({ ctx, query }) => reply(200, await listAlertHistory(ctx, query)),
});
