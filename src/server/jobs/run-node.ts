import { raisedErrorMessage } from "@/nodes/expression/conversions";
import { checkGraph } from "@/nodes/graph";
import type { TParamValue } from "@/nodes/params";
import type { TPipelineGraph } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import { getPool, getPrisma } from "../db/client";
import { transaction } from "../db/query";
import { isTransientError } from "../db/transient-error";
import { executeNode } from "../engine/execute";
import { failNode, markNodeRunning, topologyOf } from "../engine/lifecycle";
import { buildPlan, nodeRelation } from "../engine/plan";
import { ZReingestInstruction } from "../engine/reingest";
import { runNodeJob } from "../queue/jobs";
import { loadUploadCatalog } from "../engine/uploads-catalog";
import { RunCanceledError } from "../errors";
import { processCancellations } from "./cancellation";
import { defineTask } from "./define-task";

const FINISHED = new Set(["succeeded", "failed", "skipped", "canceled"]);

/** A message a person can act on, with PostgreSQL's detail and hint when there are any. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // A node's own check failing inside SQL carries its message wrapped in a cast error.
  const raised = raisedErrorMessage(error.message);
  if (raised) return raised;
  const { detail, hint } = error as { detail?: string; hint?: string };
  return [error.message || error.name, detail, hint && `hint: ${hint}`].filter(Boolean).join(" — ");
}

/**
 * One node of one run. graphile-worker retries an attempt that failed for a transient
 * reason with exponential backoff up to the node's attempts; the last failure, or one
 * that trying again cannot heal, fails the node, skips what depends on it and fails the run.
 */
export const runNodeTask = defineTask(
  runNodeJob,
  async ({ runId, nodeId }, helpers) => {
    const prisma = getPrisma();
    const pool = getPool();
    const run = await prisma.run.findUnique({
      where: { id: runId },
      select: {
        workspaceId: true,
        status: true,
        trigger: true,
        reingest: true,
        parentRunId: true,
        params: true,
        version: { select: { graph: true } },
        nodeRuns: { select: { nodeId: true, status: true } },
      },
    });
    const status = run?.nodeRuns.find((n) => n.nodeId === nodeId)?.status;
    // The run was deleted by retention, or this job is a late duplicate of a finished node.
    if (!run || !status || FINISHED.has(status) || FINISHED.has(run.status)) return;

    const graph = run.version.graph as TPipelineGraph;
    const topology = topologyOf(graph);
    const attempt = helpers.job.attempts;
    if (!(await transaction(pool, (client) => markNodeRunning(client, runId, nodeId, attempt)))) return;
    const cancellation = processCancellations()?.watch(runId);
    const signal = cancellation ? AbortSignal.any([helpers.abortSignal, cancellation.signal]) : helpers.abortSignal;
    try {
      const upload = await loadUploadCatalog(prisma, run.workspaceId, graph);
      // The values the run recorded when it started, checked and with defaults filled in then.
      const plan = buildPlan(checkGraph(graph, { registry, upload, params: run.params as Record<string, TParamValue> }));
      const node = plan.get(nodeId);
      if (!node) throw new Error(`the pinned pipeline version has no node "${nodeId}"`);
      const inThisRun = new Set(run.nodeRuns.map((n) => n.nodeId));
      const reingest = run.trigger === "reingest" && run.parentRunId ? ZReingestInstruction.safeParse(run.reingest) : undefined;
      await executeNode({
        pool,
        relationOf: (id) => nodeRelation(inThisRun.has(id) || !run.parentRunId ? runId : run.parentRunId, id),
        ...(reingest?.success && run.parentRunId ? { reingest: { ...reingest.data, parentRunId: run.parentRunId } } : {}),
        plan,
        topology,
        node,
        runId,
        workspaceId: run.workspaceId,
        upload,
        signal,
      });
    } catch (error) {
      if (error instanceof RunCanceledError || cancellation?.signal.aborted || (await runWasCanceled(runId))) {
        helpers.logger.info(`run ${runId} node ${nodeId} stopped: the run was canceled`);
        return;
      }
      const message = describeError(error);
      const final = attempt >= helpers.job.max_attempts || !isTransientError(error);
      await transaction(pool, (client) => failNode(client, topology, runId, nodeId, message, final));
      if (!final) throw error;
      helpers.logger.error(`run ${runId} node ${nodeId} failed: ${message}`);
    } finally {
      cancellation?.release();
    }
  },
);

async function runWasCanceled(runId: string): Promise<boolean> {
  const run = await getPrisma().run.findUnique({ where: { id: runId }, select: { status: true } });
  return run?.status === "canceled";
}
