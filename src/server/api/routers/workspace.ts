import "server-only";
import { z } from "zod";
import { recordAudit } from "../../audit/record";
import { listAudit, ZAuditQuery } from "../../audit/list";
import { createTRPCRouter, ownerProcedure, viewerProcedure } from "../trpc";

export const ZRetentionDays = z.number().int().min(1, "keep runs at least one day").max(3650, "at most ten years");

/** Workspace-wide settings. */
export const workspaceRouter = createTRPCRouter({
  settings: viewerProcedure.query(({ ctx }) =>
    ctx.prisma.workspace.findUniqueOrThrow({ where: { id: ctx.workspaceId }, select: { name: true, retentionDays: true } }),
  ),
  /** How long runs (their node outputs, quarantine and lineage) are kept; the nightly cleanup enforces it. */
  setRetention: ownerProcedure
    .input(z.object({ days: ZRetentionDays }))
    .mutation(async ({ ctx, input }) => {
      const saved = await ctx.prisma.workspace.update({ where: { id: ctx.workspaceId }, data: { retentionDays: input.days }, select: { retentionDays: true } });
      await recordAudit(ctx, { action: "settings.retention-changed", details: { days: input.days } });
      return saved;
    }),
  /** The audit log, newest first, filtered by action prefix, actor text and time; a page at a time. */
  audit: ownerProcedure.input(ZAuditQuery.optional()).query(({ ctx, input }) => listAudit(ctx, input ?? {})),
});
