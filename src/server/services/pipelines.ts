import { checkGraph, type GraphProblem } from "@/nodes/graph";
import { recordAudit } from "../audit/record";
import type { TParamValue } from "@/nodes/params";
import type { TPipelineGraph } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import type { PrismaClient } from "@/generated/prisma/client";
import { toJson } from "../db/json";
import { protectedRelationProblem } from "../db/protected-relations";
import { GraphInvalidError, NotFoundError } from "../errors";
import { loadUploadCatalog } from "../engine/uploads-catalog";

/**
 * Only unfinished wiring (an input not connected yet) may be saved; everything else —
 * an invalid config, an expression that does not parse or names a missing column, a
 * cycle — is refused at save time, naming the node, the field and the reason.
 */
const SAVEABLE_PROBLEMS = new Set<GraphProblem["code"]>(["missing-input"]);

interface Ctx {
  prisma: PrismaClient;
  workspaceId: string;
  actor: string;
}

/**
 * Checks a graph the way saving and running do, with upload metadata loaded; with a run's
 * parameter values (see resolveRunParams) its settings are resolved with them.
 */
export async function validateGraph(ctx: Ctx, graph: unknown, params?: Record<string, TParamValue>) {
  const upload = await loadUploadCatalog(ctx.prisma, ctx.workspaceId, graph);
  return checkGraph(graph, { registry, upload, tableProblem: protectedRelationProblem, ...(params ? { params } : {}) });
}

async function checkedForSave(ctx: Ctx, graph: unknown): Promise<TPipelineGraph> {
  const checked = await validateGraph(ctx, graph);
  const blocking = checked.problems.filter((p) => !SAVEABLE_PROBLEMS.has(p.code));
  if (blocking.length > 0 || !checked.graph) throw new GraphInvalidError(blocking.length ? blocking : checked.problems, "saved");
  return checked.graph;
}

export async function createPipeline(ctx: Ctx, input: { name?: string; graph: unknown }) {
  const graph = await checkedForSave(ctx, input.graph);
  const name = input.name ?? graph.name;
  const created = await ctx.prisma.$transaction(async (tx) => {
    const pipeline = await tx.pipeline.create({ data: { workspaceId: ctx.workspaceId, name, latestVersion: 1 } });
    await tx.pipelineVersion.create({
      data: { workspaceId: ctx.workspaceId, pipelineId: pipeline.id, number: 1, graph: toJson({ ...graph, name }), createdBy: ctx.actor },
    });
    return { id: pipeline.id, version: 1 };
  });
  // Created empty or imported with a graph: the node count tells the two apart.
  await recordAudit(ctx, { action: "pipeline.created", target: created.id, details: { name, nodes: graph.nodes.length } });
  return created;
}

/** Saves a new immutable version (versions are never edited in place). */
export async function updatePipeline(ctx: Ctx, id: string, input: { name?: string; graph: unknown }) {
  const graph = await checkedForSave(ctx, input.graph);
  const name = input.name ?? graph.name;
  const saved = await ctx.prisma.$transaction(async (tx) => {
    // Row lock: two concurrent saves get consecutive numbers instead of a unique violation.
    const locked = await tx.$queryRaw<{ latest_version: number }[]>`
      SELECT latest_version FROM pipelines WHERE id = ${id}::uuid AND workspace_id = ${ctx.workspaceId}::uuid FOR UPDATE`;
    const current = locked[0];
    if (!current) throw new NotFoundError("Pipeline", id);
    const number = current.latest_version + 1;
    await tx.pipelineVersion.create({
      data: { workspaceId: ctx.workspaceId, pipelineId: id, number, graph: toJson({ ...graph, name }), createdBy: ctx.actor },
    });
    await tx.pipeline.update({ where: { id }, data: { name, latestVersion: number } });
    return { id, version: number };
  });
  await recordAudit(ctx, { action: "pipeline.saved", target: id, details: { name, version: saved.version } });
  return saved;
}

export async function getPipeline(ctx: Ctx, id: string, version?: number) {
  const pipeline = await ctx.prisma.pipeline.findFirst({ where: { id, workspaceId: ctx.workspaceId } });
  if (!pipeline) throw new NotFoundError("Pipeline", id);
  const pinned = await ctx.prisma.pipelineVersion.findUnique({
    where: { pipelineId_number: { pipelineId: id, number: version ?? pipeline.latestVersion } },
  });
  if (!pinned) throw new NotFoundError(`Version ${version} of pipeline`, id);
  return {
    id: pipeline.id,
    name: pipeline.name,
    version: pinned.number,
    latestVersion: pipeline.latestVersion,
    graph: pinned.graph as TPipelineGraph,
    createdAt: pipeline.createdAt,
    updatedAt: pipeline.updatedAt,
    versionCreatedAt: pinned.createdAt,
    versionCreatedBy: pinned.createdBy,
  };
}

export async function listPipelineVersions(ctx: Ctx, id: string) {
  const pipeline = await ctx.prisma.pipeline.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: { id: true } });
  if (!pipeline) throw new NotFoundError("Pipeline", id);
  return ctx.prisma.pipelineVersion.findMany({
    where: { pipelineId: id },
    orderBy: { number: "desc" },
    select: { number: true, createdAt: true, createdBy: true },
  });
}

/** Most recently updated first; with `page`, keyset-paginated (`cursor`: the last id of the previous page). */
export async function listPipelines(ctx: Ctx, page?: { limit: number; cursor?: string | undefined }) {
  const pipelines = await ctx.prisma.pipeline.findMany({
    where: { workspaceId: ctx.workspaceId },
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    ...(page ? { take: page.limit + 1, ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}) } : {}),
    include: { runs: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true, createdAt: true } } },
  });
  return pipelines.map(({ runs, ...p }) => ({ ...p, lastRun: runs[0] ?? null }));
}
