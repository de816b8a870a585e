import { getPool, getPrisma } from "../db/client";
import { transaction } from "../db/query";
import { releaseQueuedRuns } from "../engine/runs";
import { runFinishedJob } from "../queue/jobs";
import { startDependents } from "../services/dependencies";
import { defineTask } from "./define-task";

/** What runs next once a run finished: the runs queued behind it, then the pipelines that depend on it. */
export const runFinishedTask = defineTask(runFinishedJob, async ({ runId }, helpers) => {
  const pool = getPool();
  const released = await transaction(pool, (client) => releaseQueuedRuns(client, runId));
  for (const id of released) helpers.logger.info(`run ${id} was queued behind run ${runId} and starts now`);
  for (const outcome of await startDependents({ prisma: getPrisma(), pool }, runId)) helpers.logger.info(`after run ${runId}: ${outcome}`);
});
