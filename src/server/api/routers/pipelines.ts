import "server-only";
import { z } from "zod";
import { ZPipelineGraph } from "@/nodes/pipeline";
import {
  createPipeline,
  deletePipeline,
  duplicatePipeline,
  getPipeline,
  listPipelines,
  listPipelineVersions,
  PIPELINE_NAME_MAX,
  pipelineDeletionImpact,
  renamePipeline,
  updatePipeline,
  validateGraph,
} from "../../services/pipelines";
import { createSamplePipeline } from "../../services/sample-pipeline";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

const ZPipelineId = z.object({ id: z.uuid() });
const ZName = z.string().trim().min(1, "A pipeline needs a name").max(PIPELINE_NAME_MAX, `A pipeline name is at most ${PIPELINE_NAME_MAX} characters`);

export const pipelinesRouter = createTRPCRouter({
  list: viewerProcedure.query(({ ctx }) => listPipelines(ctx)),
  get: viewerProcedure
    .input(ZPipelineId.extend({ version: z.number().int().positive().optional() }))
    .query(({ ctx, input }) => getPipeline(ctx, input.id, input.version)),
  versions: viewerProcedure.input(ZPipelineId).query(({ ctx, input }) => listPipelineVersions(ctx, input.id)),
  create: editorProcedure
    .input(z.object({ name: ZName, graph: z.unknown().optional() }))
    .mutation(({ ctx, input }) =>
      createPipeline(ctx, { name: input.name, graph: input.graph ?? { format: 1, name: input.name, nodes: [], edges: [] } }),
    ),
  /** The bundled weather sample as a new pipeline, already running. */
  createSample: editorProcedure.mutation(({ ctx }) => createSamplePipeline(ctx, "manual")),
  save: editorProcedure
    .input(ZPipelineId.extend({ name: ZName.optional(), graph: z.unknown() }))
    .mutation(({ ctx, input }) => updatePipeline(ctx, input.id, { name: input.name, graph: input.graph })),
  rename: editorProcedure
    .input(ZPipelineId.extend({ name: ZName }))
    .mutation(({ ctx, input }) => renamePipeline(ctx, input.id, input.name)),
  duplicate: editorProcedure.input(ZPipelineId).mutation(({ ctx, input }) => duplicatePipeline(ctx, input.id)),
  /** What deleting would take and keep, for the confirmation dialog. */
  deletionImpact: editorProcedure.input(ZPipelineId).query(({ ctx, input }) => pipelineDeletionImpact(ctx, input.id)),
  delete: editorProcedure.input(ZPipelineId).mutation(({ ctx, input }) => deletePipeline(ctx, input.id)),
  /** Every problem of a graph, for the editor to show on nodes and edges as they appear. */
  validate: viewerProcedure.input(z.object({ graph: z.unknown() })).query(async ({ ctx, input }) => {
    const checked = await validateGraph(ctx, input.graph);
    return {
      problems: checked.problems,
      columns: Object.fromEntries(checked.nodes.map((n) => [n.node.id, n.output ?? null])),
    };
  }),
  /** The JSON format's schema, so import can show what a valid file looks like. */
  formatSchema: viewerProcedure.query(() => z.toJSONSchema(ZPipelineGraph, { io: "input" })),
});
