import { getPool, getPrisma } from "../db/client";
import { openLineageJob } from "../queue/jobs";
import { emitRunEvent } from "../services/openlineage";
import { defineTask } from "./define-task";

export const openLineageTask = defineTask(openLineageJob, async (payload, helpers) => {
  const result = await emitRunEvent({ prisma: getPrisma(), pool: getPool() }, payload);
  if (result === "gone") helpers.logger.info(`OpenLineage ${payload.eventType} of run ${payload.runId} not sent: the run no longer exists`);
});
