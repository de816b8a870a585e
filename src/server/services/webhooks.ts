/**
 * Signed webhooks: a pipeline's URL and secret, and the trigger that checks a request's
 * `Sluice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
 * before starting a run with the JSON body as its parameters. The secret is sealed in the
 * secrets store (HMAC needs it back) and shown only when it is created or rotated. A
 * signature is accepted within five minutes of its `t` and only once: its digest is
 * recorded in the transaction that starts the run, so a replay racing the original finds
 * the row and is refused, and a run that could not start leaves the signature unused.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { NotFoundError, WebhookBodyError, WebhookRefusedError } from "../errors";
import { publicUrl } from "../public-url";
import { decryptSecret, encryptSecret, SEALED_COLUMNS } from "../secrets";
import { startRunIf, type RunCtx } from "./runs";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId">;

export const SIGNATURE_HEADER = "sluice-signature";
/** How far a signature's `t` may be from the server's clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
/** Webhook bodies are run parameters, not data: larger ones are refused. */
export const WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

const SECRET_PREFIX = "whsec_";

export function webhookUrl(pipelineId: string): string {
  return `${publicUrl()}/api/hooks/${pipelineId}`;
}

async function requirePipeline(ctx: Ctx, pipelineId: string): Promise<void> {
  const found = await ctx.prisma.pipeline.findFirst({ where: { id: pipelineId, workspaceId: ctx.workspaceId }, select: { id: true } });
  if (!found) throw new NotFoundError("Pipeline", pipelineId);
}

/** What may be shown about a pipeline's webhook once it exists: never the secret. */
export interface TWebhookInfo {
  url: string;
  /** The first characters of the secret, so people can tell which one a sender holds. */
  secretPrefix: string;
  createdAt: Date;
  rotatedAt: Date;
}

/** Creates the pipeline's webhook, or rotates its secret: the old secret stops working at once. The secret is in this answer only. */
export async function setupWebhook(ctx: Ctx, pipelineId: string, now = new Date()): Promise<TWebhookInfo & { secret: string }> {
  await requirePipeline(ctx, pipelineId);
  const secret = `${SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
  const sealed = encryptSecret(SEALED_COLUMNS.webhookSecret, pipelineId, secret);
  const secretPrefix = secret.slice(0, SECRET_PREFIX.length + 6);
  const row = await ctx.prisma.pipelineWebhook.upsert({
    where: { pipelineId },
    create: { pipelineId, workspaceId: ctx.workspaceId, secret: sealed, secretPrefix, createdAt: now, rotatedAt: now },
    update: { secret: sealed, secretPrefix, rotatedAt: now },
  });
  return { url: webhookUrl(pipelineId), secret, secretPrefix, createdAt: row.createdAt, rotatedAt: row.rotatedAt };
}

export async function getWebhook(ctx: Ctx, pipelineId: string): Promise<TWebhookInfo | null> {
  await requirePipeline(ctx, pipelineId);
  const row = await ctx.prisma.pipelineWebhook.findUnique({ where: { pipelineId } });
  return row ? { url: webhookUrl(pipelineId), secretPrefix: row.secretPrefix, createdAt: row.createdAt, rotatedAt: row.rotatedAt } : null;
}

export async function deleteWebhook(ctx: Ctx, pipelineId: string): Promise<void> {
  await requirePipeline(ctx, pipelineId);
  await ctx.prisma.pipelineWebhook.deleteMany({ where: { pipelineId, workspaceId: ctx.workspaceId } });
}

/** `t=…,v1=…` as a sender writes it, for tests and for the UI's example. */
export function signWebhook(secret: string, body: string | Uint8Array, timestamp: number): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

interface TParsedSignature {
  timestamp: number;
  /** Every `v1` given: a sender rotating its secret may sign with both. */
  macs: Buffer[];
}

function parseSignature(header: string | null): TParsedSignature {
  if (header === null || header.trim() === "") throw new WebhookRefusedError("The Sluice-Signature header is missing");
  let timestamp: number | undefined;
  const macs: Buffer[] = [];
  for (const part of header.split(",")) {
    const [key, value = ""] = part.trim().split("=", 2).map((s) => s.trim());
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-fA-F]{64}$/.test(value)) macs.push(Buffer.from(value, "hex"));
  }
  if (timestamp === undefined) throw new WebhookRefusedError("The Sluice-Signature header has no t=<unix seconds>");
  if (macs.length === 0) throw new WebhookRefusedError("The Sluice-Signature header has no v1=<64 hex digits> (HMAC-SHA256)");
  return { timestamp, macs };
}

export interface TWebhookRequest {
  pipelineId: string;
  signature: string | null;
  body: Uint8Array;
  now?: Date;
}

/** Parameters from the body: a JSON object, or nothing at all. */
function paramsOf(body: Uint8Array): Record<string, unknown> {
  if (body.byteLength === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw new WebhookBodyError("The body is not valid JSON: send the run's parameters as a JSON object");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new WebhookBodyError("The body must be a JSON object: its keys become the run's parameters");
  }
  return parsed as Record<string, unknown>;
}

/**
 * Checks a webhook request and starts the run. Throws {@link WebhookRefusedError} for a
 * missing, malformed, old, wrong or already used signature (nothing runs).
 */
export async function triggerWebhook(base: Omit<RunCtx, "workspaceId" | "actor">, request: TWebhookRequest): Promise<{ runId: string }> {
  const now = request.now ?? new Date();
  const signature = parseSignature(request.signature);
  const age = Math.floor(now.getTime() / 1000) - signature.timestamp;
  if (Math.abs(age) > SIGNATURE_TOLERANCE_SECONDS) {
    throw new WebhookRefusedError(
      age > 0
        ? `The signature's timestamp is ${age} seconds old; requests are accepted within ${SIGNATURE_TOLERANCE_SECONDS} seconds of t (check the sender's clock)`
        : `The signature's timestamp is ${-age} seconds in the future; requests are accepted within ${SIGNATURE_TOLERANCE_SECONDS} seconds of t (check the sender's clock)`,
    );
  }
  const webhook = await base.prisma.pipelineWebhook.findUnique({ where: { pipelineId: request.pipelineId } });
  // The same answer for "no such pipeline" and "no webhook": a caller without the secret learns nothing.
  if (!webhook) throw new WebhookRefusedError("This pipeline has no webhook");
  const secret = decryptSecret(SEALED_COLUMNS.webhookSecret, webhook.pipelineId, webhook.secret);
  const expected = createHmac("sha256", secret).update(`${signature.timestamp}.`).update(request.body).digest();
  const matched = signature.macs.find((mac) => mac.length === expected.length && timingSafeEqual(mac, expected));
  if (!matched) throw new WebhookRefusedError("The signature does not match: sign \"<t>.<raw body>\" with the pipeline's current secret (HMAC-SHA256, hex)");
  const params = paramsOf(request.body);

  const digest = createHash("sha256").update(`${webhook.pipelineId}:${signature.timestamp}:${matched.toString("hex")}`).digest("hex");
  const ctx: RunCtx = { ...base, workspaceId: webhook.workspaceId, actor: "webhook" };
  const started = await startRunIf(ctx, { pipelineId: webhook.pipelineId, trigger: "webhook", params }, async (client) => {
    // Signatures older than the window can no longer be replayed: forget them while here.
    await client.query("DELETE FROM webhook_signatures WHERE seen_at < $1", [new Date(now.getTime() - 2 * SIGNATURE_TOLERANCE_SECONDS * 1000)]);
    const fresh = await client.query("INSERT INTO webhook_signatures (digest, pipeline_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING", [
      digest,
      webhook.pipelineId,
      now,
    ]);
    return fresh.rowCount === 1 ? { start: true } : { start: false, reason: "This signature was already used: sign every request anew (replays are refused)" };
  });
  if ("skipped" in started) throw new WebhookRefusedError(started.skipped);
  return started;
}
