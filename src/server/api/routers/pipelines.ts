import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ZPipelineGraph } from "@/nodes/pipeline";
import { ConflictError, DependencyCycleError, GraphInvalidError, InvalidSettingError, NotFoundError, RunStateError } from "../../errors";
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

/** Maps service errors to tRPC errors; graph problems travel in `cause` for the editor to place. */
export async function mapServiceErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) throw new TRPCError({ code: "NOT_FOUND", message: error.message });
    if (error instanceof GraphInvalidError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    if (error instanceof InvalidSettingError || error instanceof DependencyCycleError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    if (error instanceof RunStateError || error instanceof ConflictError) throw new TRPCError({ code: "CONFLICT", message: error.message });
    throw error;
  }
}

const ZPipelineId = z.object({ id: z.uuid() });
const ZName = z.string().trim().min(1, "A pipeline needs a name").max(PIPELINE_NAME_MAX, `A pipeline name is at most ${PIPELINE_NAME_MAX} characters`);

export const pipelinesRouter = createTRPCRouter({
  list: viewerProcedure.query(({ ctx }) => listPipelines(ctx)),
  get: viewerProcedure
    .input(ZPipelineId.extend({ version: z.number().int().positive().optional() }))
    .query(({ ctx, input }) => mapServiceErrors(() => getPipeline(ctx, input.id, input.version))),
  versions: viewerProcedure.input(ZPipelineId).query(({ ctx, input }) => mapServiceErrors(() => listPipelineVersions(ctx, input.id))),
  create: editorProcedure
    .input(z.object({ name: ZName, graph: z.unknown().optional() }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        createPipeline(ctx, { name: input.name, graph: input.graph ?? { format: 1, name: input.name, nodes: [], edges: [] } }),
      ),
    ),
  /** The bundled weather sample as a new pipeline, already running. */
  createSample: editorProcedure.mutation(({ ctx }) => mapServiceErrors(() => createSamplePipeline(ctx, "manual"))),
  save: editorProcedure
    .input(ZPipelineId.extend({ name: ZName.optional(), graph: z.unknown() }))
    .mutation(({ ctx, input }) => mapServiceErrors(() => updatePipeline(ctx, input.id, { name: input.name, graph: input.graph }))),
  rename: editorProcedure
    .input(ZPipelineId.extend({ name: ZName }))
    .mutation(({ ctx, input }) => mapServiceErrors(() => renamePipeline(ctx, input.id, input.name))),
  duplicate: editorProcedure.input(ZPipelineId).mutation(({ ctx, input }) => mapServiceErrors(() => duplicatePipeline(ctx, input.id))),
  /** What deleting would take and keep, for the confirmation dialog. */
  deletionImpact: editorProcedure.input(ZPipelineId).query(({ ctx, input }) => mapServiceErrors(() => pipelineDeletionImpact(ctx, input.id))),
  delete: editorProcedure.input(ZPipelineId).mutation(({ ctx, input }) => mapServiceErrors(() => deletePipeline(ctx, input.id))),
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
