/**
 * Alert channels (where messages go), rules (what is worth a message) and the history of
 * what was sent. Channel secrets — a Slack URL, which is its own credential, and a
 * webhook's signing key — are sealed; the signing key is shown once, when it is made.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { attemptDelivery } from "../alerts/deliveries";
import { renderTestMessage } from "../alerts/message";
import { describeRule, RULE_DEFAULTS, type TRuleKind } from "../alerts/rules";
import { recordAudit } from "../audit/record";
import { toJson } from "../db/json";
import { ConflictError, InvalidSettingError, NotFoundError } from "../errors";
import { encryptSecret, SEALED_COLUMNS } from "../secrets";
import type { TRequestContext } from "../context";

export type AlertsCtx = Pick<TRequestContext, "prisma" | "workspaceId" | "actor" | "userId" | "address">;

export const CHANNEL_TYPES = ["slack", "webhook", "email"] as const;
export const RULE_KINDS = ["run_failed", "reject_rate", "volume_anomaly", "duration_anomaly", "freshness", "schema_drift"] as const satisfies readonly TRuleKind[];

const ZHttpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

export const ZChannelInput = z.object({
  type: z.enum(CHANNEL_TYPES),
  name: z.string().trim().min(1).max(200),
  config: z
    .record(z.string(), z.unknown())
    .describe("slack and webhook: `{ url }`; email: `{ to: [addresses], connectionId? }` (default: the workspace's SMTP connection)"),
});
export type TChannelInput = z.infer<typeof ZChannelInput>;

const ZUrlConfig = z.object({ url: ZHttpUrl }).strict();
const ZEmailConfig = z.object({ to: z.array(z.email()).min(1).max(50), connectionId: z.uuid().optional() }).strict();

export interface TChannelInfo {
  id: string;
  name: string;
  type: (typeof CHANNEL_TYPES)[number];
  /** slack `{ urlHint }` (the URL is a secret), webhook `{ url }`, email `{ to, connectionId }`. */
  config: Record<string, unknown>;
  createdAt: Date;
}

function refuse(field: string, error: z.ZodError): never {
  const issue = error.issues[0]!;
  const at = [field, ...issue.path.map(String)].join(".");
  throw new InvalidSettingError(at, `${at}: ${issue.message}`);
}

/** Enough of a Slack URL to tell two apart, not enough to post with. */
function urlHint(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.slice(0, 16)}…`;
}

async function smtpConnectionFor(ctx: AlertsCtx, requested: string | undefined): Promise<string> {
  if (requested) {
    const found = await ctx.prisma.connection.findFirst({ where: { id: requested, workspaceId: ctx.workspaceId, type: "smtp" }, select: { id: true } });
    if (!found) throw new InvalidSettingError("config.connectionId", `config.connectionId: no SMTP connection ${requested} in this workspace`);
    return found.id;
  }
  const all = await ctx.prisma.connection.findMany({ where: { workspaceId: ctx.workspaceId, type: "smtp" }, select: { id: true, name: true }, orderBy: { name: "asc" } });
  if (all.length === 0) throw new InvalidSettingError("config.connectionId", "Email needs the workspace's SMTP connection: add one first (POST /api/v1/connections with type smtp)");
  if (all.length > 1) throw new InvalidSettingError("config.connectionId", `config.connectionId: the workspace has several SMTP connections (${all.map((c) => `"${c.name}" ${c.id}`).join(", ")}); name one`);
  return all[0]!.id;
}

/**
 * A channel's stored config and sealed secrets from the config a caller gave for its
 * type: a Slack URL is a secret (only a hint is stored in the clear), an email channel's
 * SMTP connection is resolved in the workspace.
 */
async function channelSettings(ctx: AlertsCtx, type: string, raw: unknown): Promise<{ config: Record<string, unknown>; secrets?: Record<string, string> }> {
  if (type === "email") {
    const email = ZEmailConfig.safeParse(raw);
    if (!email.success) refuse("config", email.error);
    return { config: { to: email.data.to, connectionId: await smtpConnectionFor(ctx, email.data.connectionId) } };
  }
  const url = ZUrlConfig.safeParse(raw);
  if (!url.success) refuse("config", url.error);
  if (type === "slack") return { config: { urlHint: urlHint(url.data.url) }, secrets: { url: url.data.url } };
  return { config: { url: url.data.url } };
}

const newSigningSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

export async function listChannels(ctx: AlertsCtx): Promise<TChannelInfo[]> {
  return ctx.prisma.alertChannel.findMany({
    where: { workspaceId: ctx.workspaceId },
    select: { id: true, name: true, type: true, config: true, createdAt: true },
    orderBy: { name: "asc" },
  }) as Promise<TChannelInfo[]>;
}

/** Creates a channel. A webhook channel's signing secret is in this answer only. */
export async function createChannel(ctx: AlertsCtx, raw: TChannelInput): Promise<{ id: string; secret?: string }> {
  const parsed = ZChannelInput.safeParse(raw);
  if (!parsed.success) refuse("channel", parsed.error);
  const input = parsed.data;
  if (await ctx.prisma.alertChannel.findFirst({ where: { workspaceId: ctx.workspaceId, name: input.name }, select: { id: true } })) {
    throw new ConflictError(`An alert channel named "${input.name}" already exists`);
  }
  const id = randomUUID();
  const { config, secrets: sealed } = await channelSettings(ctx, input.type, input.config);
  const secret = input.type === "webhook" ? newSigningSecret() : undefined;
  const secrets = secret ? { signingSecret: secret } : (sealed ?? null);
  await ctx.prisma.alertChannel.create({
    data: {
      id,
      workspaceId: ctx.workspaceId,
      name: input.name,
      type: input.type,
      config: toJson(config),
      secrets: secrets ? encryptSecret(SEALED_COLUMNS.alertChannelSecrets, id, JSON.stringify(secrets)) : null,
      createdBy: ctx.actor,
    },
  });
  await recordAudit(ctx, { action: "alert-channel.created", target: id, details: { name: input.name, type: input.type } });
  return secret ? { id, secret } : { id };
}

export const ZChannelUpdate = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  config: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("The whole config of the channel's type, as on creation: slack and webhook `{ url }`, email `{ to, connectionId? }`; the type stays as made"),
  rotateSecret: z.boolean().optional().describe("webhook channels: make a new signing secret, in this answer only; the old one stops working at once"),
});
export type TChannelUpdate = z.infer<typeof ZChannelUpdate>;

/**
 * Changes a channel's name, config or (webhook) signing secret. A Slack URL given here
 * replaces the sealed one; none is ever sent back. A new signing secret is in this answer only.
 */
export async function updateChannel(ctx: AlertsCtx, id: string, raw: TChannelUpdate): Promise<TChannelInfo & { secret?: string }> {
  const parsed = ZChannelUpdate.safeParse(raw);
  if (!parsed.success) refuse("channel", parsed.error);
  const update = parsed.data;
  const channel = await ctx.prisma.alertChannel.findFirst({ where: { id, workspaceId: ctx.workspaceId } });
  if (!channel) throw new NotFoundError("Alert channel", id);
  if (update.name !== undefined && (await ctx.prisma.alertChannel.findFirst({ where: { workspaceId: ctx.workspaceId, name: update.name, id: { not: id } }, select: { id: true } }))) {
    throw new ConflictError(`An alert channel named "${update.name}" already exists`);
  }
  if (update.rotateSecret && channel.type !== "webhook") throw new InvalidSettingError("rotateSecret", `rotateSecret: only webhook channels have a signing secret; this one is ${channel.type}`);
  const settings = update.config === undefined ? undefined : await channelSettings(ctx, channel.type, update.config);
  const config = settings?.config;
  const secret = update.rotateSecret ? newSigningSecret() : undefined;
  // A webhook's signing secret is not part of its config: a new URL keeps it.
  const secrets = secret ? { signingSecret: secret } : settings?.secrets;
  const saved = await ctx.prisma.alertChannel.update({
    where: { id },
    data: {
      name: update.name,
      config: config === undefined ? undefined : toJson(config),
      secrets: secrets === undefined ? undefined : encryptSecret(SEALED_COLUMNS.alertChannelSecrets, id, JSON.stringify(secrets)),
    },
    select: { id: true, name: true, type: true, config: true, createdAt: true },
  });
  await recordAudit(ctx, {
    action: "alert-channel.updated",
    target: id,
    details: { name: saved.name, configChanged: config !== undefined, secretRotated: secret !== undefined },
  });
  const info = saved as TChannelInfo;
  return secret ? { ...info, secret } : info;
}

export async function deleteChannel(ctx: AlertsCtx, id: string): Promise<void> {
  const channel = await ctx.prisma.alertChannel.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: { id: true, name: true } });
  if (!channel) throw new NotFoundError("Alert channel", id);
  await ctx.prisma.alertChannel.delete({ where: { id } });
  await recordAudit(ctx, { action: "alert-channel.deleted", target: id, details: { name: channel.name } });
}

/** Sends a test message now (one attempt, recorded in the history) and says how it went. */
export async function testChannel(ctx: AlertsCtx, id: string, now: Date = new Date()): Promise<{ ok: boolean; message: string; deliveryId: string }> {
  const channel = await ctx.prisma.alertChannel.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: { id: true, name: true } });
  if (!channel) throw new NotFoundError("Alert channel", id);
  const delivery = await ctx.prisma.alertDelivery.create({
    data: { workspaceId: ctx.workspaceId, channelId: id, event: "test", message: toJson(renderTestMessage(channel.name, now)) },
  });
  const outcome = await attemptDelivery(ctx.prisma, delivery.id, { number: 1, of: 1 });
  if (outcome === "sent") return { ok: true, message: `Sent a test message to "${channel.name}"`, deliveryId: delivery.id };
  const failed = await ctx.prisma.alertDelivery.findUniqueOrThrow({ where: { id: delivery.id }, select: { lastError: true } });
  return { ok: false, message: failed.lastError ?? "The test message was not sent", deliveryId: delivery.id };
}

export const ZRuleInput = z.object({
  pipelineId: z.uuid().nullish().describe("The pipeline watched; omit for every pipeline of the workspace"),
  kind: z.enum(RULE_KINDS),
  threshold: z
    .number()
    .nonnegative()
    .nullish()
    .describe(
      `reject_rate: percent (required); volume_anomaly: k standard deviations (default ${RULE_DEFAULTS.volume_anomaly.threshold}); ` +
        `duration_anomaly: k × the median (default ${RULE_DEFAULTS.duration_anomaly.threshold}); freshness: hours (required)`,
    ),
  window: z.number().int().min(3).max(1000).nullish().describe("volume_anomaly and duration_anomaly: successful runs compared with (default 10)"),
  minimum: z.number().nonnegative().nullish().describe("volume_anomaly: fewer rows loaded than this always breaks the rule"),
  channelIds: z.array(z.uuid()).min(1).max(50),
  enabled: z.boolean().default(true),
});
export type TRuleInput = z.input<typeof ZRuleInput>;

// `enabled` loses its default here: a change that does not mention it must not re-enable a disabled rule.
export const ZRuleUpdate = ZRuleInput.omit({ pipelineId: true, kind: true }).extend({ enabled: z.boolean() }).partial();
export type TRuleUpdate = z.input<typeof ZRuleUpdate>;

export interface TRuleInfo {
  id: string;
  pipelineId: string | null;
  pipelineName: string | null;
  kind: TRuleKind;
  threshold: number | null;
  window: number | null;
  minimum: number | null;
  enabled: boolean;
  description: string;
  channelIds: string[];
  /** The open incidents of this rule, by pipeline. */
  openIncidents: number;
  createdAt: Date;
}

/** The settings a kind takes, with its defaults filled in; refuses what the kind cannot use. */
function settingsFor(kind: TRuleKind, given: { threshold?: number | null; window?: number | null; minimum?: number | null }) {
  const threshold = given.threshold ?? null;
  const needs = (field: string, message: string): never => {
    throw new InvalidSettingError(field, message);
  };
  switch (kind) {
    case "reject_rate":
      if (threshold === null || threshold > 100) needs("threshold", "threshold: a reject_rate rule needs the percent (0–100) above which it fires");
      return { threshold, window: null, minimum: null };
    case "freshness":
      if (threshold === null || threshold <= 0) needs("threshold", "threshold: a freshness rule needs the hours within which a run must succeed");
      return { threshold, window: null, minimum: null };
    case "volume_anomaly":
      return { threshold: threshold ?? RULE_DEFAULTS.volume_anomaly.threshold, window: given.window ?? RULE_DEFAULTS.volume_anomaly.window, minimum: given.minimum ?? null };
    case "duration_anomaly":
      if (threshold !== null && threshold <= 1) needs("threshold", "threshold: k must be above 1 (the run is compared with k × the median duration)");
      return { threshold: threshold ?? RULE_DEFAULTS.duration_anomaly.threshold, window: given.window ?? RULE_DEFAULTS.duration_anomaly.window, minimum: null };
    case "run_failed":
    case "schema_drift":
      return { threshold: null, window: null, minimum: null };
  }
}

async function requireChannels(ctx: AlertsCtx, channelIds: readonly string[]): Promise<void> {
  const found = await ctx.prisma.alertChannel.findMany({ where: { id: { in: [...channelIds] }, workspaceId: ctx.workspaceId }, select: { id: true } });
  const missing = channelIds.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0) throw new InvalidSettingError("channelIds", `channelIds: no alert channel ${missing.join(", ")} in this workspace`);
}

const ruleInclude = { channels: { select: { channelId: true } }, pipeline: { select: { name: true } }, _count: { select: { incidents: { where: { status: "open" as const } } } } };

function ruleInfo(row: {
  id: string;
  pipelineId: string | null;
  kind: TRuleKind;
  threshold: number | null;
  window: number | null;
  minimum: number | null;
  enabled: boolean;
  createdAt: Date;
  channels: { channelId: string }[];
  pipeline: { name: string } | null;
  _count: { incidents: number };
}): TRuleInfo {
  return {
    id: row.id,
    pipelineId: row.pipelineId,
    pipelineName: row.pipeline?.name ?? null,
    kind: row.kind,
    threshold: row.threshold,
    window: row.window,
    minimum: row.minimum,
    enabled: row.enabled,
    description: describeRule(row),
    channelIds: row.channels.map((c) => c.channelId).sort(),
    openIncidents: row._count.incidents,
    createdAt: row.createdAt,
  };
}

export async function listRules(ctx: AlertsCtx, filter: { pipelineId?: string } = {}): Promise<TRuleInfo[]> {
  const rows = await ctx.prisma.alertRule.findMany({
    where: { workspaceId: ctx.workspaceId, ...(filter.pipelineId ? { OR: [{ pipelineId: filter.pipelineId }, { pipelineId: null }] } : {}) },
    include: ruleInclude,
    orderBy: { createdAt: "asc" },
  });
  return rows.map(ruleInfo);
}

export async function createRule(ctx: AlertsCtx, raw: TRuleInput): Promise<{ id: string }> {
  const parsed = ZRuleInput.safeParse(raw);
  if (!parsed.success) refuse("rule", parsed.error);
  const input = parsed.data;
  if (input.pipelineId) {
    const pipeline = await ctx.prisma.pipeline.findFirst({ where: { id: input.pipelineId, workspaceId: ctx.workspaceId }, select: { id: true } });
    if (!pipeline) throw new NotFoundError("Pipeline", input.pipelineId);
  }
  await requireChannels(ctx, input.channelIds);
  const settings = settingsFor(input.kind, input);
  const rule = await ctx.prisma.alertRule.create({
    data: {
      workspaceId: ctx.workspaceId,
      pipelineId: input.pipelineId ?? null,
      kind: input.kind,
      ...settings,
      enabled: input.enabled,
      createdBy: ctx.actor,
      channels: { create: [...new Set(input.channelIds)].map((channelId) => ({ channelId })) },
    },
  });
  await recordAudit(ctx, { action: "alert-rule.created", target: rule.id, details: { kind: input.kind, pipelineId: input.pipelineId ?? null } });
  return { id: rule.id };
}

export async function updateRule(ctx: AlertsCtx, id: string, raw: TRuleUpdate): Promise<TRuleInfo> {
  const parsed = ZRuleUpdate.safeParse(raw);
  if (!parsed.success) refuse("rule", parsed.error);
  const update = parsed.data;
  const rule = await ctx.prisma.alertRule.findFirst({ where: { id, workspaceId: ctx.workspaceId } });
  if (!rule) throw new NotFoundError("Alert rule", id);
  if (update.channelIds) await requireChannels(ctx, update.channelIds);
  const settings = settingsFor(rule.kind, {
    threshold: update.threshold !== undefined ? update.threshold : rule.threshold,
    window: update.window !== undefined ? update.window : rule.window,
    minimum: update.minimum !== undefined ? update.minimum : rule.minimum,
  });
  const saved = await ctx.prisma.alertRule.update({
    where: { id },
    data: {
      ...settings,
      enabled: update.enabled,
      channels: update.channelIds ? { deleteMany: {}, create: [...new Set(update.channelIds)].map((channelId) => ({ channelId })) } : undefined,
    },
    include: ruleInclude,
  });
  await recordAudit(ctx, { action: "alert-rule.updated", target: id, details: { enabled: saved.enabled } });
  return ruleInfo(saved);
}

export async function deleteRule(ctx: AlertsCtx, id: string): Promise<void> {
  const rule = await ctx.prisma.alertRule.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: { id: true, kind: true } });
  if (!rule) throw new NotFoundError("Alert rule", id);
  await ctx.prisma.alertRule.delete({ where: { id } });
  await recordAudit(ctx, { action: "alert-rule.deleted", target: id, details: { kind: rule.kind } });
}

export const ZHistoryQuery = z.object({
  pipelineId: z.uuid().optional(),
  channelId: z.uuid().optional(),
  status: z.enum(["pending", "sent", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.date().optional().describe("Only deliveries created before this time"),
  cursor: z
    .uuid()
    .optional()
    .describe("The next page: the id of the previous page's last delivery (deliveries made in the same millisecond are neither skipped nor repeated, as they are with `before`)"),
});
export type THistoryQuery = z.input<typeof ZHistoryQuery>;

export interface THistoryEntry {
  id: string;
  event: "firing" | "resolved" | "test";
  status: "pending" | "sent" | "failed";
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  sentAt: Date | null;
  subject: string;
  text: string;
  links: Record<string, string>;
  channel: { id: string; name: string; type: string };
  incident: {
    id: string;
    status: "open" | "resolved";
    ruleId: string;
    kind: string;
    pipelineId: string;
    pipelineName: string;
    runId: string | null;
    summary: string;
    figures: unknown;
    repeats: number;
    openedAt: Date;
    resolvedAt: Date | null;
  } | null;
}

/** Sent alerts, newest first, with each delivery's status and attempts. */
export async function listAlertHistory(ctx: AlertsCtx, raw: THistoryQuery = {}): Promise<THistoryEntry[]> {
  const query = ZHistoryQuery.parse(raw);
  const rows = await ctx.prisma.alertDelivery.findMany({
    where: {
      workspaceId: ctx.workspaceId,
      channelId: query.channelId,
      status: query.status,
      createdAt: query.before ? { lt: query.before } : undefined,
      incident: query.pipelineId ? { pipelineId: query.pipelineId } : undefined,
    },
    include: { channel: { select: { id: true, name: true, type: true } }, incident: { include: { rule: { select: { kind: true } }, pipeline: { select: { name: true } } } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit,
    ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
  });
  return rows.map((row) => {
    const message = row.message as { subject?: string; text?: string; links?: Record<string, string> };
    const incident = row.incident;
    return {
      id: row.id,
      event: row.event,
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      createdAt: row.createdAt,
      lastAttemptAt: row.lastAttemptAt,
      sentAt: row.sentAt,
      subject: message.subject ?? "",
      text: message.text ?? "",
      links: message.links ?? {},
      channel: row.channel,
      incident: incident
        ? {
            id: incident.id,
            status: incident.status,
            ruleId: incident.ruleId,
            kind: incident.rule.kind,
            pipelineId: incident.pipelineId,
            pipelineName: incident.pipeline.name,
            runId: incident.runId,
            summary: incident.summary,
            figures: incident.figures,
            repeats: incident.repeats,
            openedAt: incident.openedAt,
            resolvedAt: incident.resolvedAt,
          }
        : null,
    };
  });
}
