import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/generated/prisma/client";
import type { TRequestContext } from "../context";
import { defineEndpoint, reply } from "./endpoint";
import { ApiError } from "./errors";
import { compilePath, createRouter, matchPath } from "./router";
import { streamingRequest } from "./testing";

class Missing extends Error {}

// Clients that never connect: these endpoints do not touch the database.
const pool = new pg.Pool({ connectionString: "postgresql://unused@localhost/unused" });
const ctx: TRequestContext = { prisma: new PrismaClient({ adapter: new PrismaPg(pool) }), pool, workspaceId: "ws", actor: "tester", role: "editor" };

const endpoints = [
  defineEndpoint({
    method: "GET",
    path: "/things/:id",
    summary: "Get a thing",
    tags: [],
    role: "viewer",
    resource: "Thing",
    params: z.object({ id: z.uuid() }),
    query: z.object({ version: z.coerce.number().int().positive().optional() }),
    responses: { 200: { description: "ok", schema: z.object({ id: z.string(), version: z.number().optional(), actor: z.string(), count: z.bigint() }) } },
    handler: async ({ ctx, params, query }) => {
      if (params.id === "00000000-0000-4000-8000-000000000000") throw new Missing();
      return reply(200, { id: params.id, version: query.version, actor: ctx.actor, count: 12n });
    },
  }),
  defineEndpoint({
    method: "PUT",
    path: "/things/:id",
    summary: "Replace a thing",
    tags: [],
    role: "editor",
    params: z.object({ id: z.uuid() }),
    body: { kind: "json", schema: z.object({ graph: z.object({ nodes: z.array(z.object({ id: z.string().min(2) })) }) }), maxBytes: 1000 },
    responses: { 200: { description: "ok", schema: z.object({ nodes: z.number() }) } },
    handler: async ({ body }) => reply(200, { nodes: body.graph.nodes.length }),
  }),
  defineEndpoint({
    method: "POST",
    path: "/things/:id/archive",
    summary: "Archive a thing (owners only)",
    tags: [],
    role: "owner",
    params: z.object({ id: z.uuid() }),
    responses: { 204: { description: "gone" } },
    handler: async () => reply(204, undefined),
  }),
  defineEndpoint({
    method: "POST",
    path: "/things/special",
    summary: "A literal path next to a parameter",
    tags: [],
    role: "public",
    responses: { 200: { description: "ok", schema: z.object({ special: z.boolean() }) } },
    handler: async () => reply(200, { special: true }),
  }),
  defineEndpoint({
    method: "GET",
    path: "/boom",
    summary: "Fails",
    tags: [],
    role: "public",
    responses: { 200: { description: "never" } },
    handler: async () => {
      throw new Error("secret internal detail");
    },
  }),
];

const authenticate = async (request: Request) => {
  if (request.headers.get("authorization") !== "Bearer good") throw new ApiError(401, "unauthorized", "no", {}, { "www-authenticate": "Bearer" });
  return ctx;
};
const handle = createRouter({
  basePath: "/api/v1",
  endpoints,
  authenticate,
  mapError: (error) => (error instanceof Missing ? new ApiError(404, "not_found", "Thing is gone") : undefined),
});

const id = "3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f";
const url = (path: string) => `http://localhost/api/v1${path}`;
const authed = { authorization: "Bearer good" };

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return body.error;
}

afterEach(() => vi.restoreAllMocks());

describe("path matching", () => {
  it("binds parameters and counts literal segments", () => {
    const compiled = compilePath("/pipelines/:id/runs");
    expect(compiled.specificity).toBe(2);
    expect(matchPath(compiled, ["pipelines", "abc", "runs"])).toEqual({ id: "abc" });
    expect(matchPath(compiled, ["pipelines", "abc"])).toBeNull();
    expect(matchPath(compiled, ["runs", "abc", "runs"])).toBeNull();
  });
});

describe("router", () => {
  it("runs the handler with parsed params and query, writing BigInts as numbers", async () => {
    const response = await handle(new Request(url(`/things/${id}?version=3`), { headers: authed }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ id, version: 3, actor: "tester", count: 12 });
  });

  it("refuses a caller whose role is below the endpoint's, before looking at the input", async () => {
    const response = await handle(new Request(url("/things/not-a-uuid/archive"), { method: "POST", headers: authed }));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "forbidden", message: "This needs the owner role in this workspace; yours is editor" } });
  });

  it("authenticates before looking at the input", async () => {
    const response = await handle(new Request(url("/things/not-a-uuid")));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("answers 404 for malformed ids, naming the resource", async () => {
    const response = await handle(new Request(url("/things/not-a-uuid"), { headers: authed }));
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({ code: "not_found", message: "Thing not-a-uuid does not exist" });
  });

  it("maps service errors", async () => {
    const response = await handle(new Request(url("/things/00000000-0000-4000-8000-000000000000"), { headers: authed }));
    expect(response.status).toBe(404);
    expect((await errorOf(response)).message).toBe("Thing is gone");
  });

  it("names the query parameter that is wrong", async () => {
    const response = await handle(new Request(url(`/things/${id}?version=-1`), { headers: authed }));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/^Invalid query parameter version: /);
  });

  it("names the body field that is wrong", async () => {
    const response = await handle(
      new Request(url(`/things/${id}`), { method: "PUT", headers: { ...authed, "content-type": "application/json" }, body: JSON.stringify({ graph: { nodes: [{ id: "x" }] } }) }),
    );
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/^Invalid request body: graph\.nodes\.0\.id: /);
  });

  it("refuses bodies that are not JSON", async () => {
    const bad = await handle(new Request(url(`/things/${id}`), { method: "PUT", headers: { ...authed, "content-type": "application/json" }, body: "{nope" }));
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/not valid JSON/);
    const form = await handle(new Request(url(`/things/${id}`), { method: "PUT", headers: { ...authed, "content-type": "application/x-www-form-urlencoded" }, body: "a=b" }));
    expect(form.status).toBe(415);
  });

  it("refuses a body over the limit from its Content-Length", async () => {
    const response = await handle(
      new Request(url(`/things/${id}`), { method: "PUT", headers: { ...authed, "content-type": "application/json", "content-length": "5000" }, body: "{}" }),
    );
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("payload_too_large");
  });

  it("refuses a body over the limit while reading it when no length is sent", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode(" ".repeat(400)));
        if (pulled > 100) controller.close();
      },
    });
    const response = await handle(streamingRequest(url(`/things/${id}`), { method: "PUT", headers: { ...authed, "content-type": "application/json" }, body }));
    expect(response.status).toBe(413);
    // Reading stopped just past the limit instead of draining the whole stream.
    expect(pulled).toBeLessThan(10);
  });

  it("answers 405 with Allow for a known path and another method", async () => {
    const response = await handle(new Request(url(`/things/${id}`), { method: "DELETE", headers: authed }));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, PUT");
    expect((await errorOf(response)).code).toBe("method_not_allowed");
  });

  it("prefers literal segments over parameters", async () => {
    const post = await handle(new Request(url("/things/special"), { method: "POST" }));
    expect(await post.json()).toEqual({ special: true });
    const get = await handle(new Request(url("/things/special"), { headers: authed }));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("answers 404 for unknown paths", async () => {
    for (const path of ["/nothing", "/things", "/things/a/b", "/%E0%A4%A"]) {
      const response = await handle(new Request(url(path), { headers: authed }));
      expect(response.status, path).toBe(404);
      expect((await errorOf(response)).code).toBe("not_found");
    }
  });

  it("hides unexpected errors behind a generic 500 and logs them", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await handle(new Request(url("/boom")));
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe("internal");
    expect(error.message).not.toContain("secret");
    expect(log).toHaveBeenCalledOnce();
    expect(String(log.mock.calls[0]?.[0])).toContain("GET /api/v1/boom");
  });

  it("refuses to declare the same endpoint twice", () => {
    expect(() => createRouter({ basePath: "/api/v1", endpoints: [endpoints[0]!, endpoints[0]!], authenticate, mapError: () => undefined })).toThrow(/declared twice/);
  });
});
