import "server-only";
import { z } from "zod";
import { recordAudit } from "../../audit/record";
import { listAudit } from "../../audit/list";
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
  /** The audit log, newest first, filtered by action prefix and actor text; owners only. */
  audit: ownerProcedure
    .input(z.object({ action: z.string().max(100).optional(), actor: z.string().max(200).optional(), limit: z.number().int().min(1).max(500).default(100) }).optional())
    .query(({ ctx, input }) => listAudit(ctx, input ?? {})),
});
