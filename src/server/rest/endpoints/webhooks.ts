import { z } from "zod";
import { getPool, getPrisma } from "../../db/client";
import {
  deleteWebhook,
  getWebhook,
  SIGNATURE_TOLERANCE_SECONDS,
  setupWebhook,
  triggerWebhook,
  WEBHOOK_MAX_BODY_BYTES,
} from "../../services/webhooks";
import { readBodyBytes } from "../body";
import { defineEndpoint, reply, ZUuidParams } from "../endpoint";

const tags = ["Triggers"];

const ZWebhookInfo = z.object({
  url: z.url().describe("Where senders POST: /api/hooks/<pipeline id>"),
  secretPrefix: z.string().describe("The first characters of the current secret"),
  createdAt: z.date(),
  rotatedAt: z.date(),
});

export const setupWebhookEndpoint = defineEndpoint({
  method: "POST",
  path: "/pipelines/:id/webhook",
  summary: "Create a pipeline's signed webhook, or rotate its secret",
  description:
    "Answers the webhook's URL and its signing secret. The secret is shown in this answer only; calling again makes a new one " +
    "and the old one stops working at once. Senders sign each request as described under `POST /hooks/{pipelineId}`.",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: { 200: { description: "The URL and the new secret (shown once)", schema: ZWebhookInfo.extend({ secret: z.string() }) } },
  handler: async ({ ctx, params }) => reply(200, await setupWebhook(ctx, params.id)),
});

export const getWebhookEndpoint = defineEndpoint({
  method: "GET",
  path: "/pipelines/:id/webhook",
  summary: "Get a pipeline's webhook (without its secret)",
  tags,
  role: "viewer",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: { 200: { description: "The webhook, or null when the pipeline has none", schema: ZWebhookInfo.nullable() } },
  handler: async ({ ctx, params }) => reply(200, await getWebhook(ctx, params.id)),
});

export const deleteWebhookEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/pipelines/:id/webhook",
  summary: "Remove a pipeline's webhook",
  description: "Requests signed with its secret are refused from now on.",
  tags,
  role: "editor",
  resource: "Pipeline",
  params: ZUuidParams,
  responses: { 204: { description: "Removed (or there was none)" } },
  handler: async ({ ctx, params }) => {
    await deleteWebhook(ctx, params.id);
    return reply(204, undefined);
  },
});

/** Public: the signature is the credential. Mounted at /api/hooks, outside the token-protected API. */
export const webhookTriggerEndpoint = defineEndpoint({
  method: "POST",
  path: "/hooks/:pipelineId",
  mountedAt: "/api",
  summary: "Start a run from a signed webhook",
  description:
    "The body, a JSON object (at most 256 KiB), becomes the run's parameters (`{{params.<key>}}` in node settings), " +
    "checked against the parameters the pipeline declares: an undeclared or mistyped one, or a missing required one, " +
    "is answered 400 naming it, and nothing runs. " +
    "Header `Sluice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>`; the secret comes from " +
    `\`POST /pipelines/{id}/webhook\`. Accepted within ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes of t, each signature once; ` +
    "otherwise 401 with the reason, and nothing runs.",
  tags,
  role: "public",
  resource: "Pipeline",
  params: z.object({ pipelineId: z.uuid() }),
  responses: {
    202: { description: "The run started", schema: z.object({ runId: z.uuid() }) },
    400: { description: "The body is not a JSON object, its parameters do not fit the pipeline's, or the pipeline cannot run (the message says why)" },
    401: { description: "Missing, malformed, old, wrong or already used signature; the message says which" },
    413: { description: "The body is larger than 256 KiB" },
  },
  handler: async ({ params, request }) => {
    const body = await readBodyBytes(request, WEBHOOK_MAX_BODY_BYTES);
    const started = await triggerWebhook(
      { prisma: getPrisma(), pool: getPool() },
      { pipelineId: params.pipelineId, signature: request.headers.get("sluice-signature"), body },
    );
    return reply(202, started);
  },
});
