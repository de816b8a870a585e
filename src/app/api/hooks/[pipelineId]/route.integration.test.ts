import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "@/server/engine/testing/engine-harness";
import { signWebhook } from "@/server/services/webhooks";
import { callerFor } from "@/server/testing/callers";
import { serveRoute } from "@/server/testing/route-server";
import { GET as apiGet, POST as apiPost } from "../../v1/[...path]/route";
import { POST as hookPost } from "./route";

const ADMIN_TOKEN = "admin-secret-for-tests-0123456789";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let server: Awaited<ReturnType<typeof serveRoute>>;
let pipelineId: string;
let secret: string;

const now = () => Math.floor(Date.now() / 1000);
const BODY = '{"city":"Oslo"}';
const HOOK_PARAMS = [
  { name: "city", type: "string", required: true },
  { name: "limit", type: "number" },
];

function deliver(body: string, signature: string | null, target = pipelineId, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/hooks/${target}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature === null ? {} : { "sluice-signature": signature }), ...headers },
    body,
  });
}

async function setup(id: string): Promise<{ url: string; secret: string; secretPrefix: string }> {
  const response = await fetch(`${server.url}/api/v1/pipelines/${id}/webhook`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as { url: string; secret: string; secretPrefix: string };
}

async function runsOf(id: string) {
  return env.ctx.prisma.run.findMany({ where: { pipelineId: id }, orderBy: { createdAt: "asc" } });
}

async function refusal(response: Response): Promise<string> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return `${response.status} ${body.error.code}: ${body.error.message}`;
}

beforeAll(async () => {
  env = await createEngineEnvironment({ SLUICE_API_TOKEN: ADMIN_TOKEN, SLUICE_PUBLIC_URL: "https://sluice.example.com" });
  server = await serveRoute((request) => {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/api/hooks/")) return hookPost(request);
    return request.method === "GET" ? apiGet(request) : apiPost(request);
  });
  pipelineId = (await env.loadPipeline("hooked", undefined, { params: HOOK_PARAMS })).id;
  ({ secret } = await setup(pipelineId));
});
afterAll(async () => {
  await server?.close();
  await env?.close();
  for (const key of ["SLUICE_API_TOKEN", "SLUICE_PUBLIC_URL"]) delete process.env[key];
});

describe("POST /api/v1/pipelines/:id/webhook", () => {
  it("answers the URL and a secret that is stored sealed, never in plain text", async () => {
    const other = (await env.loadPipeline("hooked_setup")).id;
    const created = await setup(other);
    expect(created.url).toBe(`https://sluice.example.com/api/hooks/${other}`);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.secret.startsWith(created.secretPrefix)).toBe(true);
    const stored = await env.db.pool.query<{ secret: string }>("SELECT secret FROM pipeline_webhooks WHERE pipeline_id = $1", [other]);
    expect(stored.rows[0]?.secret).not.toContain(created.secret.slice(6));
    const shown = await fetch(`${server.url}/api/v1/pipelines/${other}/webhook`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const info = (await shown.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ url: created.url, secretPrefix: created.secretPrefix });
    expect(JSON.stringify(info)).not.toContain(created.secret);
  });

  it("rotates the secret when called again: the old one is refused from then on", async () => {
    const other = (await env.loadPipeline("hooked_rotate", undefined, { params: HOOK_PARAMS })).id;
    const first = await setup(other);
    const second = await setup(other);
    expect(second.secret).not.toBe(first.secret);
    const body = JSON.stringify({ city: "Oslo" });
    const old = await deliver(body, signWebhook(first.secret, body, now()), other);
    expect(await refusal(old)).toMatch(/^401 unauthorized: The signature does not match/);
    const fresh = await deliver(body, signWebhook(second.secret, body, now()), other);
    expect(fresh.status).toBe(202);
  });

  it("is a tRPC mutation too, and the query never shows the secret", async () => {
    const other = (await env.loadPipeline("hooked_trpc")).id;
    const { caller } = await callerFor("editor");
    const created = await caller.triggers.setupWebhook({ pipelineId: other });
    expect(created.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(await caller.triggers.webhook({ pipelineId: other }))).not.toContain(created.secret);
    await expect((await callerFor("viewer")).caller.triggers.setupWebhook({ pipelineId: other })).rejects.toThrow(/editor/);
  });
});

describe("POST /api/hooks/:pipelineId", () => {
  it("starts a run with the JSON body as its parameters and answers 202 with its id", async () => {
    const body = JSON.stringify({ city: "Bergen", limit: 5 });
    const response = await deliver(body, signWebhook(secret, body, now()));
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const run = await env.ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ pipelineId, trigger: "webhook", params: { city: "Bergen", limit: 5 } });
  });

  it.each([
    ["an undeclared parameter", { city: "Oslo", town: "Bergen" }, /"town" is not a parameter of this pipeline \(it declares city, limit\)/],
    ["a missing required parameter", { limit: 5 }, /"city" is required/],
    ["a mistyped parameter", { city: "Oslo", limit: "five" }, /"limit" must be a number such as 42 or -2.5, not "five"/],
    ["a number that is not exact", { city: "Oslo", limit: "1e3" }, /"limit" must be a number/],
  ])("refuses %s with 400 naming it, starts nothing and leaves the signature unused", async (_, params, reason) => {
    const before = (await runsOf(pipelineId)).length;
    const signatures = async () => (await env.db.pool.query("SELECT 1 FROM webhook_signatures")).rowCount;
    const signaturesBefore = await signatures();
    const body = JSON.stringify(params);
    const response = await deliver(body, signWebhook(secret, body, now()));
    expect(await refusal(response)).toMatch(new RegExp(`^400 invalid_request: Invalid run parameters: .*${reason.source}`));
    expect(await runsOf(pipelineId)).toHaveLength(before);
    expect(await signatures()).toBe(signaturesBefore);
  });

  it("converts exact values to the declared type and records them", async () => {
    const body = JSON.stringify({ city: 47, limit: "12" });
    const response = await deliver(body, signWebhook(secret, body, now()));
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const run = await env.ctx.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.params).toEqual({ city: "47", limit: 12 });
  });

  it("refuses a replayed request with 401 and starts nothing", async () => {
    const body = JSON.stringify({ city: "Tromsø" });
    const signature = signWebhook(secret, body, now());
    expect((await deliver(body, signature)).status).toBe(202);
    const before = (await runsOf(pipelineId)).length;
    expect(await refusal(await deliver(body, signature))).toMatch(/^401 unauthorized: This signature was already used/);
    expect(await runsOf(pipelineId)).toHaveLength(before);
  });

  it.each([
    ["older than 5 minutes", -301, /^401 unauthorized: The signature's timestamp is 30\d seconds old/],
    ["more than 5 minutes ahead", 301, /^401 unauthorized: The signature's timestamp is 30\d seconds in the future/],
  ])("refuses a signature %s", async (_, offset, reason) => {
    const body = JSON.stringify({ city: "Oslo" });
    const before = (await runsOf(pipelineId)).length;
    expect(await refusal(await deliver(body, signWebhook(secret, body, now() + offset)))).toMatch(reason);
    expect(await runsOf(pipelineId)).toHaveLength(before);
  });

  it("accepts a signature 4 minutes old", async () => {
    const body = JSON.stringify({ city: "Oslo" });
    expect((await deliver(body, signWebhook(secret, body, now() - 240))).status).toBe(202);
  });

  it.each<[string, () => string | null, RegExp]>([
    ["a missing header", () => null, /The Sluice-Signature header is missing/],
    ["no timestamp", () => `v1=${"0".repeat(64)}`, /has no t=/],
    ["no v1", () => `t=${now()}`, /has no v1=/],
    ["a signature made with another secret", () => signWebhook("whsec_not-the-secret", BODY, now()), /The signature does not match/],
    ["a signature of another body", () => signWebhook(secret, '{"city":"Bergen"}', now()), /The signature does not match/],
    ["a signature over the body without its timestamp", () => `t=${now()},v1=${createHmac("sha256", secret).update(BODY).digest("hex")}`, /does not match/],
  ])("refuses %s with 401 and the reason", async (_, signature, reason) => {
    const before = (await runsOf(pipelineId)).length;
    const response = await deliver(BODY, signature());
    expect(await refusal(response)).toMatch(new RegExp(`^401 unauthorized: .*${reason.source}`));
    expect(await runsOf(pipelineId)).toHaveLength(before);
  });

  it("refuses a pipeline without a webhook like one that does not exist", async () => {
    const bare = (await env.loadPipeline("no_hook")).id;
    const body = "{}";
    expect(await refusal(await deliver(body, signWebhook(secret, body, now()), bare))).toBe("401 unauthorized: This pipeline has no webhook");
    expect(await refusal(await deliver(body, signWebhook(secret, body, now()), "00000000-0000-4000-8000-000000000000"))).toBe(
      "401 unauthorized: This pipeline has no webhook",
    );
  });

  it("refuses a body over 256 KiB with 413, with or without Content-Length, and starts nothing", async () => {
    const before = (await runsOf(pipelineId)).length;
    const big = JSON.stringify({ blob: "x".repeat(300 * 1024) });
    const declared = await deliver(big, signWebhook(secret, big, now()));
    expect(await refusal(declared)).toMatch(/^413 payload_too_large: The request body is larger than the limit of 256 KiB/);
    const chunks = [new TextEncoder().encode(big.slice(0, 1000)), new TextEncoder().encode(big.slice(1000))];
    const streamed = await fetch(`${server.url}/api/hooks/${pipelineId}`, {
      method: "POST",
      headers: { "content-type": "application/json", "sluice-signature": signWebhook(secret, big, now()) },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await runsOf(pipelineId)).toHaveLength(before);
  });

  it("refuses a correctly signed body that is not a JSON object with 400, and does not use up the signature", async () => {
    const body = "[1, 2]";
    const signatures = async () => (await env.db.pool.query("SELECT 1 FROM webhook_signatures")).rowCount;
    const before = await signatures();
    const response = await deliver(body, signWebhook(secret, body, now()));
    expect(await refusal(response)).toMatch(/^400 invalid_request: The body must be a JSON object/);
    expect(await signatures()).toBe(before);
  });

  it("is in the OpenAPI document, mounted at /api", async () => {
    const document = (await (await apiGet(new Request("http://localhost/api/v1/openapi.json"))).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; "x-sluice-role"?: string }> & { servers?: { url: string }[] }>;
    };
    const trigger = document.paths["/hooks/{pipelineId}"];
    expect(trigger?.servers).toEqual([{ url: "/api" }]);
    expect(trigger?.post?.security).toEqual([]);
    expect(Object.keys(document.paths["/pipelines/{id}/webhook"] ?? {}).sort()).toEqual(["delete", "get", "post"]);
    expect(document.paths["/pipelines/{id}/webhook"]?.post?.["x-sluice-role"]).toBe("editor");
  });
});
