import "server-only";
import { z } from "zod";
import { getLineage } from "../../services/lineage";
import {
  applyBulkFix,
  countQuarantine,
  discardQuarantined,
  editQuarantinedRecord,
  getQuarantineDetail,
  previewBulkFix,
  quarantineErrorGroups,
  quarantineFacets,
  quarantineRules,
  searchQuarantine,
  ZBulkFix,
  ZQuarantineId,
  ZQuarantineFilter,
  ZQuarantineSearch,
  ZQuarantineTarget,
} from "../../services/quarantine";
import { startReingest } from "../../services/reingest";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

const ZRecordId = z.object({ id: ZQuarantineId });
const ZTargetedFix = z.object({ target: ZQuarantineTarget, fix: ZBulkFix });

export const quarantineRouter = createTRPCRouter({
  /** One keyset page of records matching a filter. */
  list: viewerProcedure.input(ZQuarantineSearch).query(({ ctx, input }) => searchQuarantine(ctx, input)),
  /** How many records match (exact up to a cap; see countQuarantine). */
  count: viewerProcedure.input(ZQuarantineFilter).query(({ ctx, input }) => countQuarantine(ctx, input)),
  /** Violations grouped by field and rule, largest first. */
  groups: viewerProcedure.input(ZQuarantineFilter).query(({ ctx, input }) => quarantineErrorGroups(ctx, input)),
  /** Pipelines, runs and nodes to offer in the filter bar. */
  facets: viewerProcedure
    .input(ZQuarantineFilter.pick({ pipelineId: true, runId: true }))
    .query(({ ctx, input }) => quarantineFacets(ctx, input)),
  /** One record with its whole history. */
  get: viewerProcedure.input(ZRecordId).query(({ ctx, input }) => getQuarantineDetail(ctx, input.id)),
  /** The rejecting node's rules and input columns from the run's pinned version, for re-validation in the browser. */
  rules: viewerProcedure
    .input(z.object({ runId: z.uuid(), nodeId: z.string().min(1).max(200) }))
    .query(({ ctx, input }) => quarantineRules(ctx, input.runId, input.nodeId)),
  /** Saves a corrected record (PATCH semantics: the whole record, the previous one kept in history). */
  edit: editorProcedure
    .input(ZRecordId.extend({ record: z.record(z.string(), z.string().nullable()) }))
    .mutation(({ ctx, input }) => editQuarantinedRecord(ctx, input.id, input.record)),
  previewFix: viewerProcedure.input(ZTargetedFix).query(({ ctx, input }) => previewBulkFix(ctx, input.target, input.fix)),
  applyFix: editorProcedure.input(ZTargetedFix).mutation(({ ctx, input }) => applyBulkFix(ctx, input.target, input.fix)),
  discard: editorProcedure
    .input(z.object({ target: ZQuarantineTarget, reason: z.string().max(2000) }))
    .mutation(({ ctx, input }) => discardQuarantined(ctx, input.target, input.reason)),
  /**
   * Sends records back through the pipeline from the node that rejected them: one new run
   * per original run, under the version that run pinned (default) or the current one.
   */
  reingest: editorProcedure
    .input(z.object({ target: ZQuarantineTarget, version: z.enum(["pinned", "current"]).default("pinned") }))
    .mutation(({ ctx, input }) => startReingest(ctx, input.target, { version: input.version })),
  /** Where a record came from and what each node made of it. */
  lineage: viewerProcedure
    .input(z.object({ lineageId: z.string().min(1).max(300) }))
    .query(({ ctx, input }) => getLineage(ctx, input.lineageId)),
});
