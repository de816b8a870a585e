import "server-only";
import { z } from "zod";
import { listAudit, ZAuditQuery } from "../../audit/list";
import { setRetention, workspaceSettings, ZRetentionDays } from "../../services/settings";
import { createTRPCRouter, ownerProcedure, viewerProcedure } from "../trpc";

/** Workspace-wide settings. */
export const workspaceRouter = createTRPCRouter({
  settings: viewerProcedure.query(({ ctx }) => workspaceSettings(ctx)),
  setRetention: ownerProcedure.input(z.object({ days: ZRetentionDays })).mutation(({ ctx, input }) => setRetention(ctx, input.days)),
  /** The audit log, newest first, filtered by action prefix, actor text and time; a page at a time. */
  audit: ownerProcedure.input(ZAuditQuery.optional()).query(({ ctx, input }) => listAudit(ctx, input ?? {})),
});
