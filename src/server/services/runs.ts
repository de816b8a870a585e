import type pg from "pg";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { RunStatus } from "@/generated/prisma/client";
import { transaction } from "../db/query";
import { cancelRun as cancelRunInEngine, retryFailedNodes, topologyOf } from "../engine/lifecycle";
import { buildPlan } from "../engine/plan";
import { insertRun, type TRunTrigger } from "../engine/runs";
import { GraphInvalidError, InvalidSettingError, NotFoundError, RunStateError } from "../errors";
import { resolveRunParams, type TParamValue } from "@/nodes/params";
import type { TPipelineGraph } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import { getPipeline, validateGraph } from "./pipelines";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId">;

/** What starting a run needs: the database, the workspace, and who asked. */
export type RunCtx = Ctx & Pick<TRequestContext, "pool" | "actor">;

/** As large as a webhook body may be: its JSON becomes the parameters. */
const MAX_PARAMS_BYTES = 256 * 1024;
const MAX_PARAMS_DEPTH = 32;
// eslint-disable-next-line no-control-regex -- control characters are exactly what a name may not hold
const PARAM_NAME = /^[^\u0000-\u001f\u007f]{1,128}$/u;

/** How deeply arrays and objects nest in a JSON value (a scalar is 0), without recursion. */
function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_PARAMS_DEPTH) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * A run's parameters as sent: named JSON values, bounded before anything reads them. They are
 * then checked against what the pipeline declares ({@link checkRunParams}); node settings read
 * them as `{{params.name}}`. Data only: nothing in them steers the engine.
 */
export const ZRunParams = z
  .record(z.string(), z.unknown())
  // Depth first: checking the shape of a value nested 100,000 deep would overflow the stack.
  .superRefine((params, ctx) => {
    for (const name of Object.keys(params))
      if (!PARAM_NAME.test(name))
        ctx.addIssue({ code: "custom", path: [name], message: "a parameter name is 1 to 128 characters without control characters" });
    if (jsonDepth(params) > MAX_PARAMS_DEPTH) ctx.addIssue({ code: "custom", message: `run parameters may be nested at most ${MAX_PARAMS_DEPTH} levels deep`, abort: true });
    else if (Buffer.byteLength(JSON.stringify(params)) > MAX_PARAMS_BYTES)
      ctx.addIssue({ code: "custom", message: "run parameters may be at most 256 KiB of JSON", abort: true });
  })
  .pipe(z.record(z.string(), z.json()))
  .meta({ description: "Named JSON values recorded with the run (at most 256 KiB, nested at most 32 deep)" });
export type TRunParams = z.infer<typeof ZRunParams>;

/**
 * A run's parameters against what the pinned version declares: unknown names and missing
 * required ones refused, values converted only when exact, defaults filled in. The result is
 * what the run records and every node resolves its settings with.
 */
export function checkRunParams(graph: TPipelineGraph, given: Record<string, unknown>): Record<string, TParamValue> {
  const resolved = resolveRunParams(graph.params ?? [], given);
  if (resolved.ok) return resolved.values;
  const [first] = resolved.problems;
  throw new InvalidSettingError(`params.${first!.name}`, `Invalid run parameters: ${resolved.problems.map((p) => p.message).join("; ")}`);
}

export interface StartRunInput {
  pipelineId: string;
  /** The version to pin; the latest when absent. */
  version?: number;
  trigger: TRunTrigger;
  params?: Record<string, unknown>;
  parentRunId?: string;
  /** A scheduled run's fire time: a second run for the same fire time is refused by the database. */
  scheduledFor?: Date;
  /** The upstream run that started this one (dependencies): one run per upstream run. */
  triggeredByRunId?: string;
}

/** Whether a run starts after all, decided under the pipeline's lock (no other run of it can start meanwhile). */
export type TStartDecision = { start: true; queuedBehindRunId?: string } | { start: false; reason: string };

/**
 * Starts a run of a pinned pipeline version: checks the graph (every problem blocks a
 * run), records the run and a queued node run per node, and enqueues the sources — all
 * in one transaction, so a run never exists half-started.
 */
export async function startRun(ctx: RunCtx, input: StartRunInput): Promise<{ runId: string }> {
  const started = await startRunIf(ctx, input, async () => ({ start: true }));
  if ("skipped" in started) throw new Error(`unreachable: ${started.skipped}`);
  await recordAudit(ctx, { action: "run.started", target: started.runId, details: { pipelineId: input.pipelineId, trigger: input.trigger } });
  return started;
}

/**
 * Like {@link startRun}, with `decide` asked inside the starting transaction while the
 * pipeline row is locked, so the decision (overlap policies, dependency gating) cannot race
 * another start of the same pipeline. `decide` may act in that transaction (cancel runs).
 */
export async function startRunIf(
  ctx: RunCtx,
  input: StartRunInput,
  decide: (client: pg.PoolClient) => Promise<TStartDecision>,
): Promise<{ runId: string } | { skipped: string }> {
  const params = ZRunParams.safeParse(input.params ?? {});
  if (!params.success) throw new InvalidSettingError("params", `Invalid run parameters: ${params.error.issues.map((i) => `${[...i.path].join(".") || "params"}: ${i.message}`).join("; ")}`);
  const pipeline = await getPipeline(ctx, input.pipelineId, input.version);
  const values = checkRunParams(pipeline.graph, params.data);
  const checked = await validateGraph(ctx, pipeline.graph, values);
  if (checked.problems.length > 0) throw new GraphInvalidError(checked.problems, "run");
  if (checked.nodes.length === 0) throw new GraphInvalidError([{ path: ["nodes"], code: "missing-input", message: "the pipeline has no nodes: add a source first" }], "run");
  const plan = buildPlan(checked);
  const version = await ctx.prisma.pipelineVersion.findUniqueOrThrow({
    where: { pipelineId_number: { pipelineId: pipeline.id, number: pipeline.version } },
    select: { id: true },
  });
  const nodes = [...plan.values()];
  return transaction(ctx.pool, async (client) => {
    await client.query("SELECT 1 FROM pipelines WHERE id = $1 FOR UPDATE", [pipeline.id]);
    const decision = await decide(client);
    if (!decision.start) return { skipped: decision.reason };
    const runId = await insertRun(client, ctx, {
      pipelineId: pipeline.id,
      versionId: version.id,
      trigger: input.trigger,
      params: values,
      parentRunId: input.parentRunId,
      scheduledFor: input.scheduledFor,
      triggeredByRunId: input.triggeredByRunId,
      queuedBehindRunId: decision.queuedBehindRunId,
      nodes,
      entries: nodes.filter((n) => Object.keys(n.inputs).length === 0),
    });
    return { runId };
  });
}

export interface TNodeRunLog {
  at: string;
  level: "info" | "warn" | "error";
  message: string;
}

/** A run with every node run, as the run page and `GET /api/v1/runs/:id` show it. */
/** The rows a run's destinations wrote. */
function rowsLoaded(nodeRuns: readonly { nodeType: string; rowsOut: bigint }[]): bigint {
  return nodeRuns.filter((n) => registry.get(n.nodeType)?.execution.kind === "destination").reduce((sum, n) => sum + n.rowsOut, 0n);
}

export async function getRun(ctx: Ctx, runId: string) {
  const run = await ctx.prisma.run.findFirst({
    where: { id: runId, workspaceId: ctx.workspaceId },
    include: {
      version: { select: { number: true, graph: true } },
      pipeline: { select: { name: true } },
      nodeRuns: { orderBy: [{ startedAt: { sort: "asc", nulls: "last" } }, { nodeId: "asc" }] },
    },
  });
  if (!run) throw new NotFoundError("Run", runId);
  return {
    id: run.id,
    pipelineId: run.pipelineId,
    pipelineName: run.pipeline.name,
    version: run.version.number,
    graph: run.version.graph,
    trigger: run.trigger,
    status: run.status,
    params: run.params,
    error: run.error,
    parentRunId: run.parentRunId,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    rowsLoaded: rowsLoaded(run.nodeRuns),
    nodes: run.nodeRuns.map((n) => ({
      nodeId: n.nodeId,
      nodeType: n.nodeType,
      status: n.status,
      attempt: n.attempt,
      rowsIn: n.rowsIn,
      rowsOut: n.rowsOut,
      rowsRejected: n.rowsRejected,
      rowsKnown: n.rowsKnown,
      rowsRemembered: n.rowsRemembered,
      rowsTotal: n.rowsTotal,
      checksum: n.checksum,
      error: n.error,
      logs: n.logs as unknown as TNodeRunLog[],
      startedAt: n.startedAt,
      finishedAt: n.finishedAt,
    })),
  };
}

export interface ListRunsInput {
  pipelineId?: string;
  status?: RunStatus;
  from?: Date;
  to?: Date;
  /** The id of the last run of the previous page. */
  cursor?: string;
  limit: number;
}

/** Newest first, keyset-paginated. */
export async function listRuns(ctx: Ctx, input: ListRunsInput) {
  const runs = await ctx.prisma.run.findMany({
    where: {
      workspaceId: ctx.workspaceId,
      ...(input.pipelineId ? { pipelineId: input.pipelineId } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(input.from || input.to ? { createdAt: { ...(input.from ? { gte: input.from } : {}), ...(input.to ? { lt: input.to } : {}) } } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    include: {
      pipeline: { select: { name: true } },
      version: { select: { number: true } },
      nodeRuns: { select: { rowsIn: true, rowsOut: true, rowsRejected: true, nodeType: true } },
    },
  });
  const page = runs.slice(0, input.limit);
  return {
    runs: page.map(({ nodeRuns, pipeline, version, ...run }) => ({
      ...run,
      pipelineName: pipeline.name,
      version: version.number,
      rowsRejected: nodeRuns.reduce((sum, n) => sum + n.rowsRejected, 0n),
      rowsLoaded: rowsLoaded(nodeRuns),
    })),
    nextCursor: runs.length > input.limit ? page.at(-1)?.id : undefined,
  };
}

async function requireRun(ctx: Ctx, runId: string) {
  const run = await ctx.prisma.run.findFirst({ where: { id: runId, workspaceId: ctx.workspaceId }, select: { id: true, status: true, version: { select: { graph: true } } } });
  if (!run) throw new NotFoundError("Run", runId);
  return run;
}

/**
 * Cancels a queued or running run: nodes stop within seconds, what they had not committed
 * is rolled back, and the run and its unfinished nodes end `canceled`.
 */
export async function cancelRun(ctx: RunCtx, runId: string): Promise<{ runId: string; status: "canceled" }> {
  const run = await requireRun(ctx, runId);
  const canceled = await transaction(ctx.pool, (client) => cancelRunInEngine(client, runId, `canceled by ${ctx.actor}`));
  if (!canceled) throw new RunStateError(`The run has already finished (${run.status}): there is nothing to cancel`);
  await recordAudit(ctx, { action: "run.canceled", target: runId });
  return { runId, status: "canceled" };
}

/** Runs the failed nodes of a failed run again (and then what they had skipped); succeeded nodes keep their output. */
export async function retryFailedRunNodes(ctx: RunCtx, runId: string): Promise<{ runId: string; nodes: string[] }> {
  const run = await requireRun(ctx, runId);
  const topology = topologyOf(run.version.graph as TPipelineGraph);
  const nodes = await transaction(ctx.pool, (client) => retryFailedNodes(client, topology, runId, ctx.actor));
  return { runId, nodes };
}
