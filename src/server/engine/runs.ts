import type pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { ident, sql, render } from "@/nodes/sql";
import { getPipeline, GraphInvalidError, validateGraph } from "../services/pipelines";
import { enqueueNode, inTransaction } from "./lifecycle";
import { buildPlan, runSchemaName, type PlannedNode } from "./plan";

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
  const nodes = [...plan.values()];
  return inTransaction(ctx.pool, async (client) => ({
    runId: await insertRun(client, ctx, {
      pipelineId: pipeline.id,
      versionId: version.id,
      trigger: input.trigger,
      params: input.params ?? {},
      parentRunId: input.parentRunId,
      nodes,
      entries: nodes.filter((n) => Object.keys(n.inputs).length === 0),
    }),
  }));
}

/**
 * Records a run with a queued node run per node, creates its data schema and enqueues
 * the entry nodes, in the caller's transaction.
 */
export async function insertRun(
  client: pg.ClientBase,
  ctx: Pick<EngineCtx, "workspaceId">,
  run: {
    pipelineId: string;
    versionId: string;
    trigger: TRunTrigger;
    params: unknown;
    parentRunId?: string;
    nodes: PlannedNode[];
    entries: PlannedNode[];
  },
): Promise<string> {
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO runs (id, workspace_id, pipeline_id, version_id, trigger, status, params, parent_run_id)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, 'queued', $5, $6) RETURNING id`,
    [ctx.workspaceId, run.pipelineId, run.versionId, run.trigger, JSON.stringify(run.params), run.parentRunId ?? null],
  );
  const runId = inserted.rows[0]!.id;
  await client.query(
    `INSERT INTO node_runs (id, workspace_id, run_id, node_id, node_type)
     SELECT gen_random_uuid(), $1, $2, n.id, n.type FROM unnest($3::text[], $4::text[]) AS n(id, type)`,
    [ctx.workspaceId, runId, run.nodes.map((n) => n.id), run.nodes.map((n) => n.definition.type)],
  );
  await client.query(render(sql`CREATE SCHEMA ${ident(runSchemaName(runId))}`).text);
  for (const node of run.entries) await enqueueNode(client, runId, node.id, node.attempts);
  return runId;
}
