/**
 * Sending one message to one channel, by the channel's type. A failure throws
 * {@link ChannelSendError} with what went wrong (status and body, SMTP stage); the caller
 * records it with the delivery and lets the job retry.
 */
import { createHmac } from "node:crypto";
import type { PrismaClient } from "@/generated/prisma/client";
import { describeSmtpFailure, smtpTransport } from "../connections/smtp";
import { decryptSecret, SEALED_COLUMNS } from "../secrets";
import { loadSmtpConnection } from "../services/connections";
import { slackText, type TAlertMessage } from "./message";

export class ChannelSendError extends Error {}

export interface TChannelRow {
  id: string;
  workspaceId: string;
  name: string;
  type: "slack" | "webhook" | "email";
  config: unknown;
  secrets: string | null;
}

export interface TChannelSecrets {
  /** slack: the incoming-webhook URL (it is the credential). */
  url?: string;
  /** webhook: the key of the Sluice-Signature HMAC. */
  signingSecret?: string;
}

export function channelSecrets(channel: Pick<TChannelRow, "id" | "secrets">): TChannelSecrets {
  return channel.secrets === null ? {} : (JSON.parse(decryptSecret(SEALED_COLUMNS.alertChannelSecrets, channel.id, channel.secrets)) as TChannelSecrets);
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the same scheme Sluice checks on inbound webhooks. */
export function signBody(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

const HTTP_TIMEOUT_MS = 15_000;

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers }, redirect: "manual", signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ChannelSendError(`Could not reach ${new URL(url).host}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = (await response.text().catch(() => "")).slice(0, 300);
  if (!response.ok) throw new ChannelSendError(`${new URL(url).host} answered ${response.status}${text ? `: ${text}` : ""}`);
}

export async function sendToChannel(prisma: PrismaClient, channel: TChannelRow, message: TAlertMessage, now: Date = new Date()): Promise<void> {
  const config = channel.config as Record<string, unknown>;
  const secrets = channelSecrets(channel);
  if (channel.type === "slack") {
    if (!secrets.url) throw new ChannelSendError("The channel has no Slack webhook URL");
    await post(secrets.url, JSON.stringify({ text: slackText(message) }), {});
    return;
  }
  if (channel.type === "webhook") {
    const url = String(config.url);
    const body = JSON.stringify(message);
    const signature = signBody(secrets.signingSecret ?? "", body, Math.floor(now.getTime() / 1000));
    await post(url, body, { "sluice-signature": signature, "sluice-event": message.event });
    return;
  }
  const to = config.to as string[];
  const smtp = await loadSmtpConnection(prisma, channel.workspaceId, String(config.connectionId));
  const transport = smtpTransport(smtp.config, smtp.secrets);
  try {
    await transport.sendMail({ from: smtp.config.from, to, subject: message.subject, text: message.text });
  } catch (error) {
    throw new ChannelSendError(`Email through "${smtp.name}": ${describeSmtpFailure(error, smtp.config, smtp.secrets)}`);
  } finally {
    transport.close();
  }
}
