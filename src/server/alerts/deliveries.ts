/**
 * Deliveries: one message to one channel, each a job of its own, so a channel that is down
 * retries with graphile-worker's exponential backoff while the others (and every run) go on.
 * The row keeps each attempt's outcome for the history: pending while attempts remain,
 * sent, or failed once the last attempt failed.
 */
import type pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { readEnv } from "../env";
import { enqueue } from "../queue/job";
import { deliverAlertJob } from "../queue/jobs";
import { ZAlertMessage, type TAlertMessage } from "./message";
import { ChannelSendError, sendToChannel } from "./send";

/** Records a delivery per channel and enqueues its job, in the caller's transaction. */
export async function queueDeliveries(
  client: pg.ClientBase,
  input: { workspaceId: string; incidentId: string | null; event: "firing" | "resolved"; message: TAlertMessage; channelIds: readonly string[] },
): Promise<string[]> {
  const ids: string[] = [];
  for (const channelId of input.channelIds) {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO alert_deliveries (id, workspace_id, channel_id, incident_id, event, message)
       VALUES (gen_random_uuid(), $1, $2, $3, $4::"AlertDeliveryEvent", $5::jsonb) RETURNING id`,
      [input.workspaceId, channelId, input.incidentId, input.event, JSON.stringify(input.message)],
    );
    const id = inserted.rows[0]!.id;
    await enqueue(client, deliverAlertJob, { deliveryId: id }, { jobKey: `alert-deliver:${id}`, maxAttempts: readEnv().SLUICE_ALERT_DELIVERY_ATTEMPTS });
    ids.push(id);
  }
  return ids;
}

export type TAttemptOutcome = "sent" | "retrying" | "failed" | "gone";

/**
 * One attempt of a delivery (attempt counts from 1). A failure before the last attempt is
 * recorded and thrown, so the job is retried; the last one marks the delivery failed.
 */
export async function attemptDelivery(
  prisma: PrismaClient,
  deliveryId: string,
  attempt: { number: number; of: number },
  now: () => Date = () => new Date(),
): Promise<TAttemptOutcome> {
  const delivery = await prisma.alertDelivery.findUnique({ where: { id: deliveryId }, include: { channel: true } });
  if (!delivery) return "gone";
  if (delivery.status === "sent") return "sent";
  const message = ZAlertMessage.parse(delivery.message);
  try {
    await sendToChannel(prisma, delivery.channel, message, now());
  } catch (error) {
    const reason = error instanceof ChannelSendError ? error.message : `Unexpected error: ${(error as Error).message}`;
    const last = attempt.number >= attempt.of;
    await prisma.alertDelivery.update({
      where: { id: deliveryId },
      data: { attempts: { increment: 1 }, lastError: reason, lastAttemptAt: now(), status: last ? "failed" : "pending" },
    });
    if (last) return "failed";
    throw new ChannelSendError(`Delivery ${deliveryId} to "${delivery.channel.name}" failed (attempt ${attempt.number} of ${attempt.of}): ${reason}`);
  }
  const at = now();
  await prisma.alertDelivery.update({ where: { id: deliveryId }, data: { attempts: { increment: 1 }, lastAttemptAt: at, sentAt: at, status: "sent", lastError: null } });
  return "sent";
}
