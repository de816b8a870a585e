import { attemptDelivery } from "../alerts/deliveries";
import { evaluateFreshness, evaluateRunAlerts } from "../alerts/evaluate";
import { getPool, getPrisma } from "../db/client";
import { deliverAlertJob, evaluateRunAlertsJob, freshnessAlertsJob } from "../queue/jobs";
import { defineTask } from "./define-task";

export const evaluateRunAlertsTask = defineTask(evaluateRunAlertsJob, async ({ runId }, helpers) => {
  for (const change of await evaluateRunAlerts({ prisma: getPrisma(), pool: getPool() }, runId)) {
    if (change.change !== "unchanged") helpers.logger.info(`alert rule ${change.ruleId} after run ${runId}: incident ${change.change}`);
  }
});

export const freshnessAlertsTask = defineTask(freshnessAlertsJob, async (_payload, helpers) => {
  for (const change of await evaluateFreshness({ prisma: getPrisma(), pool: getPool() })) {
    if (change.change === "opened" || change.change === "resolved") helpers.logger.info(`freshness rule ${change.ruleId}, pipeline ${change.pipelineId}: incident ${change.change}`);
  }
});

/** graphile-worker retries a thrown attempt with exponential backoff; the last attempt marks the delivery failed instead of throwing. */
export const deliverAlertTask = defineTask(deliverAlertJob, async ({ deliveryId }, helpers) => {
  await attemptDelivery(getPrisma(), deliveryId, { number: helpers.job.attempts, of: helpers.job.max_attempts });
});
