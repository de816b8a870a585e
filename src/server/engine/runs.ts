import type pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { ident, sql, render } from "@/nodes/sql";
import { getPipeline, GraphInvalidError, validateGraph } from "../services/pipelines";
import { enqueueNode, inTransaction } from "./lifecycle";
import { buildPlan, runSchemaName } from "./plan";

export interface EngineCtx {
  prisma: PrismaClient;
  pool: pg.Pool;
  workspaceId: string;
  actor: string;
}

export type TRunTrigger = "manual" | "api" | "schedule" | "webhook" | "reingest";

export interface StartRunInput {
  pipelineId: string;
  /** The version to pin; the latest when absent. */
  version?: number;
  trigger: TRunTrigger;
  params?: Record<string, unknown>;
  parentRunId?: string;
}

/**
 * Starts a run of a pinned pipeline version: checks the graph (every problem blocks a
 * run), records the run and a queued node run per node, and enqueues the sources — all
 * in one transaction, so a run never exists half-started.
 */
export async function startRun(ctx: EngineCtx, input: StartRunInput): Promise<{ runId: string }> {
  const pipeline = await getPipeline(ctx, input.pipelineId, input.version);
  const checked = await validateGraph(ctx, pipeline.graph);
  if (checked.problems.length > 0) throw new GraphInvalidError(checked.problems, "run");
  if (checked.nodes.length === 0) throw new GraphInvalidError([{ path: ["nodes"], code: "missing-input", message: "the pipeline has no nodes: add a source first" }], "run");
  const plan = buildPlan(checked);
  const version = await ctx.prisma.pipelineVersion.findUniqueOrThrow({
    where: { pipelineId_number: { pipelineId: pipeline.id, number: pipeline.version } },
    select: { id: true },
  });
  return inTransaction(ctx.pool, async (client) => {
    const run = await client.query<{ id: string }>(
      `INSERT INTO runs (id, workspace_id, pipeline_id, version_id, trigger, status, params, parent_run_id)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, 'queued', $5, $6) RETURNING id`,
      [ctx.workspaceId, pipeline.id, version.id, input.trigger, JSON.stringify(input.params ?? {}), input.parentRunId ?? null],
    );
    const runId = run.rows[0]!.id;
    const nodes = [...plan.values()];
    await client.query(
      `INSERT INTO node_runs (id, workspace_id, run_id, node_id, node_type)
       SELECT gen_random_uuid(), $1, $2, n.id, n.type FROM unnest($3::text[], $4::text[]) AS n(id, type)`,
      [ctx.workspaceId, runId, nodes.map((n) => n.id), nodes.map((n) => n.definition.type)],
    );
    await client.query(render(sql`CREATE SCHEMA ${ident(runSchemaName(runId))}`).text);
    for (const node of nodes) {
      if (Object.keys(node.inputs).length === 0) await enqueueNode(client, runId, node.id, node.attempts);
    }
    return { runId };
  });
}
