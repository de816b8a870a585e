import "server-only";
import { z } from "zod";
import { controlRoom, pipelineDashboard, ZDashboardRange } from "../../services/dashboards";
import { createTRPCRouter, viewerProcedure } from "../trpc";

export const dashboardsRouter = createTRPCRouter({
  /** A pipeline's run figures over a range (default the last 30 days), read from the figures kept as runs finish. */
  pipeline: viewerProcedure
    .input(z.object({ pipelineId: z.uuid() }).and(ZDashboardRange))
    .query(({ ctx, input }) => pipelineDashboard(ctx, input.pipelineId, input)),
  /** Every pipeline's health, worst first. */
  controlRoom: viewerProcedure.query(({ ctx }) => controlRoom(ctx)),
});
