/**
 * Read-only share links to a pipeline's dashboard or to the workspace's control room. The secret is 256 random bits in the link;
 * the database keeps only its SHA-256 (as for API tokens), so a database leak opens no dashboard.
 * The shared page is one of the few doors open without an account: it checks the secret itself,
 * and what it shows is decided here (counts, rates and rule names; record values only when the
 * sharer asked for samples).
 */
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import type { PrismaClient } from "@/generated/prisma/client";
import { recordAudit } from "../audit/record";
import { hashToken } from "../auth/tokens";
import { InvalidSettingError, NotFoundError } from "../errors";
import { publicUrl } from "../public-url";
import { controlRoom, pipelineDashboard, type THealth, type TPipelineDashboard, type TPipelineHealth } from "./dashboards";
import type { TRequestContext } from "../context";

type TRunStatus = NonNullable<TPipelineHealth["lastRun"]>["status"];

type Ctx = Pick<TRequestContext, "prisma" | "pool" | "workspaceId">;

type ActorCtx = Ctx & Pick<TRequestContext, "actor" | "userId" | "address">;

/** Where shared dashboards live; the secret follows. */
export const SHARE_PATH = "/share";
/** How many quarantined records a share with samples shows. */
export const SAMPLE_LIMIT = 20;

/**
 * An origin whose pages may frame a share: `http(s)://host[:port]`, nothing more (no path,
 * query, credentials or wildcard), normalised the way browsers compare origins. Only the
 * normalised form ever reaches a Content-Security-Policy header.
 */
export const ZEmbedOrigin = z
  .string()
  .trim()
  .max(255)
  .transform((text, ctx) => {
    const origin = embedOriginOf(text);
    if (origin === null) {
      ctx.addIssue({ code: "custom", message: `"${text}" is not an origin: write the scheme and host (and port, if any) only, such as https://wiki.example.com` });
      return z.NEVER;
    }
    return origin;
  })
  .describe("An origin such as https://wiki.example.com (scheme, host and optional port)");

/** The most origins one link may be embedded on. */
export const MAX_EMBED_ORIGINS = 10;

function embedOriginOf(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password || url.search || url.hash || url.pathname !== "/" || url.hostname.includes("*")) return null;
  // `https://a.example/` parses with the path "/"; a longer text than the origin had something else in it.
  if (text.replace(/\/$/, "").toLowerCase() !== url.origin.toLowerCase()) return null;
  return url.origin;
}

/** Stored origins, checked again on the way out: a header is only ever built from normalised origins. */
function storedOrigins(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => (typeof item === "string" && embedOriginOf(item) !== null ? [embedOriginOf(item)!] : []));
}

const ZEmbedOrigins = z
  .array(ZEmbedOrigin)
  .max(MAX_EMBED_ORIGINS)
  .default([])
  .transform((origins) => [...new Set(origins)])
  .describe("Origins whose pages may show the link in an iframe (default: none; no site may frame it)");

const LINK_SETTINGS = {
  expiresAt: z.coerce.date().optional().describe("When the link stops working (default: never; it can be revoked at any time)"),
  embedOrigins: ZEmbedOrigins,
};

/** Strict: the control room has no record samples to include, and saying so should not pass silently. */
export const ZControlRoomShareInput = z.strictObject(LINK_SETTINGS);
export type TControlRoomShareInput = z.input<typeof ZControlRoomShareInput>;

export const ZShareInput = z.object({
  ...LINK_SETTINGS,
  includeSamples: z.boolean().default(false).describe("Show the latest open quarantined records (their values) on the shared page"),
});
export type TShareInput = z.input<typeof ZShareInput>;

export const ZShare = z.object({
  id: z.uuid(),
  dashboard: z.enum(["pipeline", "control-room"]).describe("What the link shows: one pipeline's dashboard, or the control room (every pipeline's health)"),
  pipelineId: z.uuid().nullable().describe("The shared dashboard's pipeline; null for the control room"),
  createdBy: z.string(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  lastViewedAt: z.date().nullable(),
  includeSamples: z.boolean(),
  embedOrigins: z.array(z.string()),
  state: z.enum(["active", "revoked", "expired"]),
});
export type TShare = z.infer<typeof ZShare>;

const SHARE_FIELDS = { id: true, pipelineId: true, createdBy: true, createdAt: true, expiresAt: true, revokedAt: true, lastViewedAt: true, includeSamples: true, embedOrigins: true } as const;

type TShareRow = Omit<TShare, "dashboard" | "state" | "embedOrigins"> & { embedOrigins: unknown };

function shareOf(row: TShareRow, now: Date): TShare {
  return { ...row, dashboard: row.pipelineId === null ? "control-room" : "pipeline", embedOrigins: storedOrigins(row.embedOrigins), state: stateOf(row, now) };
}

function stateOf(share: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): TShare["state"] {
  if (share.revokedAt) return "revoked";
  if (share.expiresAt && share.expiresAt <= now) return "expired";
  return "active";
}

export function shareUrl(secret: string): string {
  return `${publicUrl()}${SHARE_PATH}/${secret}`;
}

export async function createShare(ctx: ActorCtx, pipelineId: string, input: TShareInput): Promise<TShare & { url: string }> {
  const parsed = ZShareInput.parse(input);
  const pipeline = await ctx.prisma.pipeline.findFirst({ where: { id: pipelineId, workspaceId: ctx.workspaceId }, select: { id: true, name: true } });
  if (!pipeline) throw new NotFoundError("Pipeline", pipelineId);
  return insertShare(ctx, pipeline, parsed);
}

/** A link to the control room: every pipeline's health, as the workspace's members see it, without record values or error texts. */
export async function createControlRoomShare(ctx: ActorCtx, input: TControlRoomShareInput): Promise<TShare & { url: string }> {
  return insertShare(ctx, null, { ...ZControlRoomShareInput.parse(input), includeSamples: false });
}

async function insertShare(ctx: ActorCtx, pipeline: { id: string; name: string } | null, parsed: z.output<typeof ZShareInput>): Promise<TShare & { url: string }> {
  if (parsed.expiresAt && parsed.expiresAt <= new Date()) throw new InvalidSettingError("expiresAt", "the expiry must be in the future");
  const secret = randomBytes(32).toString("base64url");
  const share = await ctx.prisma.dashboardShare.create({
    data: {
      workspaceId: ctx.workspaceId,
      pipelineId: pipeline?.id ?? null,
      tokenHash: hashToken(secret),
      createdBy: ctx.actor,
      expiresAt: parsed.expiresAt ?? null,
      includeSamples: parsed.includeSamples,
      embedOrigins: parsed.embedOrigins,
    },
    select: SHARE_FIELDS,
  });
  const details = pipeline ? { pipelineId: pipeline.id, pipeline: pipeline.name } : { dashboard: "control-room" };
  await recordAudit(ctx, { action: "share.created", target: share.id, details: { ...details, expiresAt: share.expiresAt, includeSamples: share.includeSamples, embedOrigins: parsed.embedOrigins } });
  return { ...shareOf(share, new Date()), url: shareUrl(secret) };
}

/** A pipeline's links, newest first, revoked and expired ones included (people need to see what was cut off and when). */
export async function listShares(ctx: Ctx, pipelineId: string, now: Date = new Date()): Promise<TShare[]> {
  const pipeline = await ctx.prisma.pipeline.findFirst({ where: { id: pipelineId, workspaceId: ctx.workspaceId }, select: { id: true } });
  if (!pipeline) throw new NotFoundError("Pipeline", pipelineId);
  const shares = await ctx.prisma.dashboardShare.findMany({ where: { pipelineId, workspaceId: ctx.workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: SHARE_FIELDS });
  return shares.map((s) => shareOf(s, now));
}

/** The control room's links, newest first, revoked and expired ones included. */
export async function listControlRoomShares(ctx: Ctx, now: Date = new Date()): Promise<TShare[]> {
  const shares = await ctx.prisma.dashboardShare.findMany({ where: { pipelineId: null, workspaceId: ctx.workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: SHARE_FIELDS });
  return shares.map((s) => shareOf(s, now));
}

/** Takes effect at once: the next view of the link says it was revoked. Revoking twice keeps the first time. */
export async function revokeShare(ctx: ActorCtx, id: string): Promise<TShare> {
  const { count } = await ctx.prisma.dashboardShare.updateMany({ where: { id, workspaceId: ctx.workspaceId, revokedAt: null }, data: { revokedAt: new Date() } });
  const share = await ctx.prisma.dashboardShare.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: SHARE_FIELDS });
  if (!share) throw new NotFoundError("Share link", id);
  if (count > 0) await recordAudit(ctx, { action: "share.revoked", target: id, details: share.pipelineId ? { pipelineId: share.pipelineId } : { dashboard: "control-room" } });
  return shareOf(share, new Date());
}

export interface TShareSample {
  id: string;
  nodeId: string;
  record: Record<string, unknown>;
  errors: { field?: string; rule?: string; message?: string }[];
  createdAt: Date;
}

/**
 * A pipeline as the shared control room shows it: no ids (nothing to try elsewhere), and the
 * reason in general words, since a run's error text can quote the record values it failed on.
 */
export interface TSharedPipelineHealth {
  name: string;
  health: THealth;
  reason: string;
  running: boolean;
  lastRun: { status: TRunStatus; finishedAt: Date } | null;
  nextRunAt: Date | null;
  successRate7d: number | null;
  runs7d: number;
  openQuarantine: number;
}

const SHARED_REASONS: Record<THealth, string | null> = {
  failing: "The last run failed",
  late: null,
  drifting: "The input's columns changed (schema drift)",
  healthy: null,
};

export type TSharedView =
  | { state: "active"; kind: "pipeline"; dashboard: TPipelineDashboard; samples: TShareSample[] | null; expiresAt: Date | null }
  | { state: "active"; kind: "control-room"; workspace: string; pipelines: TSharedPipelineHealth[]; updatedAt: Date; expiresAt: Date | null }
  | { state: "revoked" | "expired" | "unknown" };

/** Secrets are base64url of 32 bytes; anything else cannot be one and is not looked up. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;
/** A viewer's page refreshes every few seconds; the last view is noted at most this often. */
const LAST_VIEW_GRANULARITY_MS = 60_000;

async function activeShare(base: { prisma: PrismaClient }, secret: string, now: Date) {
  if (!SECRET.test(secret)) return { state: "unknown" as const };
  const share = await base.prisma.dashboardShare.findUnique({ where: { tokenHash: hashToken(secret) } });
  if (!share) return { state: "unknown" as const };
  const state = stateOf(share, now);
  if (state !== "active") return { state };
  return { state, share };
}

/**
 * What a share link's page shows: the dashboard of the link's pipeline only (over `range`), the
 * control room of the link's workspace, or why it shows nothing. Views note the link's last view.
 */
export async function viewShare(base: { prisma: PrismaClient; pool: pg.Pool }, secret: string, range: { from?: Date; to?: Date } = {}, now: Date = new Date()): Promise<TSharedView> {
  const found = await activeShare(base, secret, now);
  if (found.state !== "active") return { state: found.state };
  const { share } = found;
  await base.prisma.dashboardShare.updateMany({
    where: { id: share.id, OR: [{ lastViewedAt: null }, { lastViewedAt: { lt: new Date(now.getTime() - LAST_VIEW_GRANULARITY_MS) } }] },
    data: { lastViewedAt: now },
  });
  const ctx = { ...base, workspaceId: share.workspaceId };
  if (share.pipelineId === null) {
    const [workspace, pipelines] = await Promise.all([base.prisma.workspace.findUniqueOrThrow({ where: { id: share.workspaceId }, select: { name: true } }), controlRoom(ctx, now)]);
    return {
      state: "active",
      kind: "control-room",
      workspace: workspace.name,
      updatedAt: now,
      expiresAt: share.expiresAt,
      pipelines: pipelines.map((p) => ({
        name: p.name,
        health: p.health,
        reason: SHARED_REASONS[p.health] ?? p.reason,
        running: p.running,
        lastRun: p.lastRun ? { status: p.lastRun.status, finishedAt: p.lastRun.finishedAt } : null,
        nextRunAt: p.nextRunAt,
        successRate7d: p.successRate7d,
        runs7d: p.runs7d,
        openQuarantine: p.openQuarantine,
      })),
    };
  }
  const dashboard = await pipelineDashboard(ctx, share.pipelineId, range, now);
  const samples = share.includeSamples ? await latestOpenRecords(ctx, share.pipelineId) : null;
  return { state: "active", kind: "pipeline", dashboard, samples, expiresAt: share.expiresAt };
}

const SHARE_PAGE = new RegExp(`^${SHARE_PATH}/([A-Za-z0-9_-]{43})(?:[?#]|$)`);

/** The front door's question for a share link's page (with or without a query): which origins may frame it; null for any other path. */
export function sharePageEmbedOrigins(prisma: () => PrismaClient, path: string): Promise<string[]> | null {
  const match = SHARE_PAGE.exec(path);
  // Inside the promise, so a database not reachable yet rejects (frames nothing) instead of throwing at the door.
  return match ? Promise.resolve().then(() => shareEmbedOrigins({ prisma: prisma() }, match[1]!)) : null;
}

/** The origins that may frame the link's page: none unless the link is active and its sharer listed some. */
export async function shareEmbedOrigins(base: { prisma: PrismaClient }, secret: string, now: Date = new Date()): Promise<string[]> {
  const found = await activeShare(base, secret, now);
  return found.state === "active" ? storedOrigins(found.share.embedOrigins) : [];
}

async function latestOpenRecords(ctx: Ctx, pipelineId: string): Promise<TShareSample[]> {
  const rows = await ctx.pool.query<{ id: string; node_id: string; record: Record<string, unknown>; errors: TShareSample["errors"]; created_at: Date }>(
    `SELECT q.id::text, q.node_id, q.record, q.errors, q.created_at FROM quarantined_records q JOIN runs r ON r.id = q.run_id
      WHERE r.pipeline_id = $1 AND q.workspace_id = $2 AND q.status = 'open' ORDER BY q.id DESC LIMIT $3`,
    [pipelineId, ctx.workspaceId, SAMPLE_LIMIT],
  );
  return rows.rows.map((r) => ({ id: r.id, nodeId: r.node_id, record: r.record, errors: Array.isArray(r.errors) ? r.errors : [], createdAt: r.created_at }));
}
