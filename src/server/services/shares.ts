/**
 * Read-only share links to a pipeline's dashboard. The secret is 256 random bits in the link;
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
import { pipelineDashboard, type TPipelineDashboard } from "./dashboards";

interface Ctx {
  prisma: PrismaClient;
  pool: pg.Pool;
  workspaceId: string;
}

interface ActorCtx extends Ctx {
  actor: string;
  userId?: string | null;
  address?: string | null;
}

/** Where shared dashboards live; the secret follows. */
export const SHARE_PATH = "/share";
/** How many quarantined records a share with samples shows. */
export const SAMPLE_LIMIT = 20;

export const ZShareInput = z.object({
  expiresAt: z.coerce.date().optional().describe("When the link stops working (default: never; it can be revoked at any time)"),
  includeSamples: z.boolean().default(false).describe("Show the latest open quarantined records (their values) on the shared page"),
});
export type TShareInput = z.input<typeof ZShareInput>;

export const ZShare = z.object({
  id: z.uuid(),
  pipelineId: z.uuid(),
  createdBy: z.string(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  lastViewedAt: z.date().nullable(),
  includeSamples: z.boolean(),
  state: z.enum(["active", "revoked", "expired"]),
});
export type TShare = z.infer<typeof ZShare>;

const SHARE_FIELDS = { id: true, pipelineId: true, createdBy: true, createdAt: true, expiresAt: true, revokedAt: true, lastViewedAt: true, includeSamples: true } as const;

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
  if (parsed.expiresAt && parsed.expiresAt <= new Date()) throw new InvalidSettingError("expiresAt", "the expiry must be in the future");
  const secret = randomBytes(32).toString("base64url");
  const share = await ctx.prisma.dashboardShare.create({
    data: { workspaceId: ctx.workspaceId, pipelineId, tokenHash: hashToken(secret), createdBy: ctx.actor, expiresAt: parsed.expiresAt ?? null, includeSamples: parsed.includeSamples },
    select: SHARE_FIELDS,
  });
  await recordAudit(ctx, { action: "share.created", target: share.id, details: { pipelineId, pipeline: pipeline.name, expiresAt: share.expiresAt, includeSamples: share.includeSamples } });
  return { ...share, state: "active", url: shareUrl(secret) };
}

/** A pipeline's links, newest first, revoked and expired ones included (people need to see what was cut off and when). */
export async function listShares(ctx: Ctx, pipelineId: string, now: Date = new Date()): Promise<TShare[]> {
  const pipeline = await ctx.prisma.pipeline.findFirst({ where: { id: pipelineId, workspaceId: ctx.workspaceId }, select: { id: true } });
  if (!pipeline) throw new NotFoundError("Pipeline", pipelineId);
  const shares = await ctx.prisma.dashboardShare.findMany({ where: { pipelineId, workspaceId: ctx.workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: SHARE_FIELDS });
  return shares.map((s) => ({ ...s, state: stateOf(s, now) }));
}

/** Takes effect at once: the next view of the link says it was revoked. Revoking twice keeps the first time. */
export async function revokeShare(ctx: ActorCtx, id: string): Promise<TShare> {
  const { count } = await ctx.prisma.dashboardShare.updateMany({ where: { id, workspaceId: ctx.workspaceId, revokedAt: null }, data: { revokedAt: new Date() } });
  const share = await ctx.prisma.dashboardShare.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: SHARE_FIELDS });
  if (!share) throw new NotFoundError("Share link", id);
  if (count > 0) await recordAudit(ctx, { action: "share.revoked", target: id, details: { pipelineId: share.pipelineId } });
  return { ...share, state: stateOf(share, new Date()) };
}

export interface TShareSample {
  id: string;
  nodeId: string;
  record: Record<string, unknown>;
  errors: { field?: string; rule?: string; message?: string }[];
  createdAt: Date;
}

export type TSharedView =
  | { state: "active"; dashboard: TPipelineDashboard; samples: TShareSample[] | null; expiresAt: Date | null }
  | { state: "revoked" | "expired" | "unknown" };

/** Secrets are base64url of 32 bytes; anything else cannot be one and is not looked up. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * What a share link's page shows: the dashboard of the link's pipeline only, over `range`, or why
 * it shows nothing. Each view notes its time as the link's last view.
 */
export async function viewShare(base: { prisma: PrismaClient; pool: pg.Pool }, secret: string, range: { from?: Date; to?: Date } = {}, now: Date = new Date()): Promise<TSharedView> {
  if (!SECRET.test(secret)) return { state: "unknown" };
  const share = await base.prisma.dashboardShare.findUnique({ where: { tokenHash: hashToken(secret) } });
  if (!share) return { state: "unknown" };
  const state = stateOf(share, now);
  if (state !== "active") return { state };
  await base.prisma.dashboardShare.update({ where: { id: share.id }, data: { lastViewedAt: now } });
  const ctx = { ...base, workspaceId: share.workspaceId };
  const dashboard = await pipelineDashboard(ctx, share.pipelineId, range, now);
  const samples = share.includeSamples ? await latestOpenRecords(ctx, share.pipelineId) : null;
  return { state, dashboard, samples, expiresAt: share.expiresAt };
}

async function latestOpenRecords(ctx: Ctx, pipelineId: string): Promise<TShareSample[]> {
  const rows = await ctx.pool.query<{ id: string; node_id: string; record: Record<string, unknown>; errors: TShareSample["errors"]; created_at: Date }>(
    `SELECT q.id::text, q.node_id, q.record, q.errors, q.created_at FROM quarantined_records q JOIN runs r ON r.id = q.run_id
      WHERE r.pipeline_id = $1 AND q.workspace_id = $2 AND q.status = 'open' ORDER BY q.id DESC LIMIT $3`,
    [pipelineId, ctx.workspaceId, SAMPLE_LIMIT],
  );
  return rows.rows.map((r) => ({ id: r.id, nodeId: r.node_id, record: r.record, errors: Array.isArray(r.errors) ? r.errors : [], createdAt: r.created_at }));
}
