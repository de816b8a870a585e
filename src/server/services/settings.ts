/** Workspace-wide settings, the same for the Settings page (tRPC) and the REST API. */
import { z } from "zod";
import { recordAudit, type AuditCtx } from "../audit/record";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId">;

export const ZRetentionDays = z.number().int().min(1, "keep runs at least one day").max(3650, "at most ten years");

export async function workspaceSettings(ctx: Ctx) {
  return ctx.prisma.workspace.findUniqueOrThrow({ where: { id: ctx.workspaceId }, select: { name: true, retentionDays: true } });
}

/** How long runs (their node outputs, quarantine and lineage) are kept; the nightly cleanup enforces it. */
export async function setRetention(ctx: AuditCtx, days: number) {
  const saved = await ctx.prisma.workspace.update({ where: { id: ctx.workspaceId }, data: { retentionDays: days }, select: { retentionDays: true } });
  await recordAudit(ctx, { action: "settings.retention-changed", details: { days } });
  return saved;
}
