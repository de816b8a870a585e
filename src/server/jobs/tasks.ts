import type { CronItem, TaskList } from "graphile-worker";
import { freshnessAlertsJob, retentionJob } from "../queue/jobs";
import { deliverAlertTask, evaluateRunAlertsTask, freshnessAlertsTask } from "./alerts";
import { openLineageTask } from "./openlineage";
import { retentionTask } from "./retention";
import { runFinishedTask } from "./run-finished";
import { runNodeTask } from "./run-node";
import { scheduleFireTask } from "./schedule-fire";

/** Every task the worker runs, listed explicitly (no directory scan inside Next.js). */
const tasks = [runNodeTask, retentionTask, scheduleFireTask, runFinishedTask, openLineageTask, evaluateRunAlertsTask, freshnessAlertsTask, deliverAlertTask];

export const taskList: TaskList = Object.fromEntries(tasks.map((t) => [t.name, t.task]));

export const cronItems: CronItem[] = [
  // Nightly; a worker that was down at 03:17 catches up within a day instead of piling up runs.
  {
    task: retentionJob.name,
    match: "17 3 * * *",
    identifier: retentionJob.name,
    options: { backfillPeriod: 24 * 3600 * 1000, jobKey: retentionJob.name },
  },
  // One evaluation per tick for all workers (graphile-worker's cron enqueues each tick once); no backfill: the next tick sees the same state.
  { task: freshnessAlertsJob.name, match: "*/5 * * * *", identifier: freshnessAlertsJob.name, options: { jobKey: freshnessAlertsJob.name, maxAttempts: 3 } },
];
