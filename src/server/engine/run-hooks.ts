/**
 * What a run starting or finishing sets off beyond the engine: the next runs (queued ones,
 * dependent pipelines), the figures dashboards read, alerts, OpenLineage events, and for a re-ingest run the settling of its
 * records (in the same transaction, so a record is re-ingested exactly when its run succeeded). Each is a job enqueued in the
 * transaction that changed the run's state, so it happens exactly when that commits, and
 * a slow alert channel or lineage server never holds a run up.
 */
import type pg from "pg";
import { enqueue } from "../queue/job";
import { evaluateRunAlertsJob, openLineageJob, runFinishedJob } from "../queue/jobs";
import { readEnv } from "../env";
import { settleReingest } from "./reingest";
import { recordRunStats } from "./run-stats";
import { commitRunCursors } from "./source-cursors";

type TFinalStatus = "succeeded" | "failed" | "canceled";

const LINEAGE_EVENT: Record<TFinalStatus, "COMPLETE" | "FAIL" | "ABORT"> = { succeeded: "COMPLETE", failed: "FAIL", canceled: "ABORT" };

async function emitLineage(client: pg.ClientBase, runId: string, eventType: "START" | "COMPLETE" | "FAIL" | "ABORT"): Promise<void> {
  if (!readEnv().OPENLINEAGE_URL) return;
  const now = await client.query<{ at: Date }>("SELECT clock_timestamp() AS at");
  const eventTime = now.rows[0]!.at.toISOString();
  // One queue per run keeps a run's events in order while the lineage server answers.
  await enqueue(client, openLineageJob, { runId, eventType, eventTime }, { jobKey: `openlineage:${runId}:${eventType}:${eventTime}`, queueName: `openlineage:${runId}`, maxAttempts: 10 });
}

/** The run went from queued to running (or back to running for a retry of its failed nodes). */
export async function onRunStarted(client: pg.ClientBase, runId: string): Promise<void> {
  await emitLineage(client, runId, "START");
}

/** The run reached `status`, in the transaction that set it. */
export async function onRunFinished(client: pg.ClientBase, runId: string, status: TFinalStatus): Promise<void> {
  await settleReingest(client, runId, status);
  if (status === "succeeded") await commitRunCursors(client, runId);
  await recordRunStats(client, runId);
  await enqueue(client, runFinishedJob, { runId }, { jobKey: `run-finished:${runId}` });
  if (status !== "canceled") await enqueue(client, evaluateRunAlertsJob, { runId }, { jobKey: `alerts:${runId}` });
  await emitLineage(client, runId, LINEAGE_EVENT[status]);
}
