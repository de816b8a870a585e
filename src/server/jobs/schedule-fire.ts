import { getPool, getPrisma } from "../db/client";
import { scheduleFireJob } from "../queue/jobs";
import { fireSchedule } from "../services/schedules";
import { defineTask } from "./define-task";

export const scheduleFireTask = defineTask(scheduleFireJob, async ({ pipelineId, scheduledFor }, helpers) => {
  const outcome = await fireSchedule({ prisma: getPrisma(), pool: getPool() }, { pipelineId, scheduledFor: new Date(scheduledFor) });
  // A duplicate means a fire ran twice: harmless (the database refused the second run), but worth knowing.
  const log = outcome.status === "duplicate" || outcome.status === "not-started" ? helpers.logger.warn : helpers.logger.info;
  log.call(helpers.logger, `schedule of pipeline ${pipelineId}: ${outcome.message}`);
});
