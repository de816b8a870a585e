/**
 * Pipelines that run after others: "run B when A succeeds", or with mode `all`, "when A
 * and C have both succeeded since B last ran". Saving refuses a cycle; a finished run
 * starts its dependents in its run-finished job.
 */
import { z } from "zod";
import { DependencyCycleError, GraphInvalidError, InvalidSettingError, NotFoundError } from "../errors";
import { startRunIf, type RunCtx } from "./runs";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId">;

export const ZDependenciesInput = z.object({
  upstreamIds: z.array(z.uuid()).max(50).describe("Pipelines whose successful runs start this one"),
  mode: z.enum(["any", "all"]).default("any").describe("any: after each successful run of any of them; all: once every one has succeeded since this pipeline last ran"),
});
export type TDependenciesInput = z.input<typeof ZDependenciesInput>;

export async function getDependencies(ctx: Ctx, pipelineId: string) {
  const pipeline = await ctx.prisma.pipeline.findFirst({
    where: { id: pipelineId, workspaceId: ctx.workspaceId },
    select: {
      dependencyMode: true,
      upstreams: { select: { upstream: { select: { id: true, name: true } } }, orderBy: { createdAt: "asc" } },
      downstreams: { select: { pipeline: { select: { id: true, name: true } } }, orderBy: { createdAt: "asc" } },
    },
  });
  if (!pipeline) throw new NotFoundError("Pipeline", pipelineId);
  return {
    mode: pipeline.dependencyMode,
    upstreams: pipeline.upstreams.map((u) => u.upstream),
    downstreams: pipeline.downstreams.map((d) => d.pipeline),
  };
}

/** The pipelines around a loop the new edges would close, or null when there is none. */
function findCycle(pipelineId: string, upstreamIds: readonly string[], edges: readonly { pipelineId: string; upstreamId: string }[]): string[] | null {
  const upstreamsOf = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.pipelineId === pipelineId) continue;
    upstreamsOf.set(edge.pipelineId, [...(upstreamsOf.get(edge.pipelineId) ?? []), edge.upstreamId]);
  }
  upstreamsOf.set(pipelineId, [...upstreamIds]);
  // Depth-first from the pipeline along "waits for": reaching it again closes a loop.
  const path: string[] = [pipelineId];
  const seen = new Set<string>();
  const visit = (id: string): boolean => {
    for (const next of upstreamsOf.get(id) ?? []) {
      if (next === pipelineId) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      path.push(next);
      if (visit(next)) return true;
      path.pop();
    }
    return false;
  };
  return visit(pipelineId) ? [...path, pipelineId] : null;
}

/** Replaces the pipelines this one runs after. */
export async function setDependencies(ctx: Ctx, pipelineId: string, raw: TDependenciesInput) {
  const input = ZDependenciesInput.parse(raw);
  const upstreamIds = [...new Set(input.upstreamIds)];
  const pipelines = await ctx.prisma.pipeline.findMany({ where: { workspaceId: ctx.workspaceId }, select: { id: true, name: true } });
  const nameOf = new Map(pipelines.map((p) => [p.id, p.name]));
  if (!nameOf.has(pipelineId)) throw new NotFoundError("Pipeline", pipelineId);
  for (const id of upstreamIds) {
    if (id === pipelineId) throw new DependencyCycleError([nameOf.get(pipelineId)!, nameOf.get(pipelineId)!]);
    if (!nameOf.has(id)) throw new InvalidSettingError("upstreamIds", `Pipeline ${id} does not exist in this workspace`);
  }
  await ctx.prisma.$transaction(async (tx) => {
    // One writer at a time per workspace, so two saves cannot each close half of a loop.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dependencies:${ctx.workspaceId}`}))`;
    const edges = await tx.pipelineDependency.findMany({ where: { pipeline: { workspaceId: ctx.workspaceId } }, select: { pipelineId: true, upstreamId: true } });
    const cycle = findCycle(pipelineId, upstreamIds, edges);
    if (cycle) throw new DependencyCycleError(cycle.map((id) => nameOf.get(id) ?? id));
    await tx.pipelineDependency.deleteMany({ where: { pipelineId } });
    await tx.pipelineDependency.createMany({ data: upstreamIds.map((upstreamId) => ({ pipelineId, upstreamId })) });
    await tx.pipeline.update({ where: { id: pipelineId }, data: { dependencyMode: input.mode } });
  });
  return getDependencies(ctx, pipelineId);
}

function isDuplicateTrigger(error: unknown): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === "23505" && pgError.constraint === "runs_pipeline_id_triggered_by_run_id_key";
}

/**
 * After a run succeeded: starts each pipeline that depends on its pipeline, when its mode
 * lets it. Returns what happened per dependent, for the job's log.
 */
export async function startDependents(base: Omit<RunCtx, "workspaceId" | "actor">, runId: string): Promise<string[]> {
  const run = await base.prisma.run.findUnique({
    where: { id: runId },
    select: { status: true, workspaceId: true, pipelineId: true, pipeline: { select: { name: true, downstreams: { select: { pipeline: { select: { id: true, name: true, dependencyMode: true } } } } } } },
  });
  if (!run || run.status !== "succeeded") return [];
  const ctx: RunCtx = { ...base, workspaceId: run.workspaceId, actor: `after ${run.pipeline.name}` };
  const outcomes: string[] = [];
  for (const { pipeline: dependent } of run.pipeline.downstreams) {
    try {
      const started = await startRunIf(ctx, { pipelineId: dependent.id, trigger: "dependency", triggeredByRunId: runId }, async (client) => {
        if (dependent.dependencyMode === "any") return { start: true };
        const waiting = await client.query<{ name: string }>(
          `SELECT u.name FROM pipeline_dependencies d JOIN pipelines u ON u.id = d.upstream_id
            WHERE d.pipeline_id = $1
              AND NOT EXISTS (
                SELECT 1 FROM runs s WHERE s.pipeline_id = d.upstream_id AND s.status = 'succeeded'
                   AND s.finished_at > COALESCE((SELECT max(created_at) FROM runs b WHERE b.pipeline_id = d.pipeline_id), '-infinity'))`,
          [dependent.id],
        );
        if (waiting.rows.length === 0) return { start: true };
        return { start: false, reason: `waiting for ${waiting.rows.map((w) => w.name).join(", ")} to succeed` };
      });
      outcomes.push("skipped" in started ? `${dependent.name}: ${started.skipped}` : `${dependent.name}: started run ${started.runId}`);
    } catch (error) {
      if (isDuplicateTrigger(error)) continue;
      if (!(error instanceof GraphInvalidError)) throw error;
      outcomes.push(`${dependent.name}: could not start: ${error.message}`);
    }
  }
  return outcomes;
}
