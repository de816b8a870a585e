import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { appRouter } from "@/server/api/root";
import { closeDatabaseClients, getPrisma } from "@/server/db/client";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { contextFor, createMember, type TTestMember } from "@/server/testing/callers";
import { defaultWorkspaceId } from "@/server/workspace";
import { endpoints } from "@/server/rest/endpoints";
import { openApiPath } from "@/server/rest/openapi";
import { streamingRequest } from "@/server/rest/testing";
import { DELETE, GET, PATCH, POST, PUT } from "./route";

const ADMIN_TOKEN = "admin-secret-for-tests-0123456789";
const BASE = "http://localhost/api/v1";

let db: TestDatabase;
let prisma: PrismaClient;
let workspaceId: string;
let token: string;

function call(handler: (request: Request) => Promise<Response>, method: string, path: string, options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = options.token === undefined ? token : options.token;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] ??= "application/json";
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  return handler(new Request(`${BASE}${path}`, { method, headers, body }));
}

async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

interface ErrorBody {
  error: { code: string; message: string; problems?: { message: string }[] };
}

const graph = (name: string) => ({ format: 1, name, nodes: [], edges: [] });

let owner: TTestMember;
function trpc() {
  return appRouter.createCaller(contextFor(owner, prisma));
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_API_TOKEN = ADMIN_TOKEN;
  prisma = getPrisma();
  workspaceId = await defaultWorkspaceId(prisma);
  owner = await createMember(prisma, workspaceId, "owner", "Tess Tester");
  token = (await trpc().tokens.create({ name: "tests" })).token;
});

afterAll(async () => {
  await closeDatabaseClients();
  await db?.drop();
});

describe("openapi.json", () => {
  it("is public, valid JSON and lists every endpoint", async () => {
    const response = await call(GET, "GET", "/openapi.json", { token: null });
    expect(response.status).toBe(200);
    const document = await json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(response);
    expect(document.openapi).toBe("3.1.0");
    for (const endpoint of endpoints) expect(document.paths[openApiPath(endpoint.path)]?.[endpoint.method.toLowerCase()]).toBeDefined();
    expect(document.paths["/openapi.json"]?.get).toBeDefined();
  });
});

describe("authentication", () => {
  it("asks for a bearer token", async () => {
    const response = await call(GET, "GET", "/pipelines/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f", { token: null });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="sluice"');
    expect((await json<ErrorBody>(response)).error).toEqual({ code: "unauthorized", message: expect.stringContaining("Authorization: Bearer") });
  });

  it("refuses unknown tokens and other schemes", async () => {
    const unknown = await call(GET, "GET", "/pipelines/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f", { token: "slc_not-a-real-token" });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const basic = await call(GET, "GET", "/pipelines/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f", { token: null, headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(basic.status).toBe(401);
  });

  it("accepts SLUICE_API_TOKEN as an admin token in the default workspace", async () => {
    const created = await call(POST, "POST", "/pipelines", { token: ADMIN_TOKEN, body: { graph: graph("By admin") } });
    expect(created.status).toBe(201);
    const { id } = await json<{ id: string }>(created);
    const pipeline = await json<{ versionCreatedBy: string }>(await call(GET, "GET", `/pipelines/${id}`, { token: ADMIN_TOKEN }));
    expect(pipeline.versionCreatedBy).toBe("api:admin");
    expect((await call(GET, "GET", `/pipelines/${id}`, { token: `${ADMIN_TOKEN}x` })).status).toBe(401);
  });

  it("takes a token from creation through use to revocation", async () => {
    const created = await trpc().tokens.create({ name: "ci" });
    expect(created.token).toMatch(/^slc_/);
    expect(created.prefix).toBe(created.token.slice(0, 12));
    const stored = await prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.tokenHash).not.toContain(created.token.slice(4));
    expect(stored.lastUsedAt).toBeNull();

    const ok = await call(POST, "POST", "/pipelines", { token: created.token, body: { graph: graph("By CI") } });
    expect(ok.status).toBe(201);
    const listed = (await trpc().tokens.list()).find((t) => t.id === created.id);
    expect(listed?.lastUsedAt).toBeInstanceOf(Date);
    expect(listed).not.toHaveProperty("tokenHash");
    expect(listed).not.toHaveProperty("token");

    const revoked = await trpc().tokens.revoke({ id: created.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    const refused = await call(POST, "POST", "/pipelines", { token: created.token, body: { graph: graph("Too late") } });
    expect(refused.status).toBe(401);
    expect((await json<ErrorBody>(refused)).error.message).toMatch(/"ci" was revoked/);
    // Revoking again keeps the original time.
    expect((await trpc().tokens.revoke({ id: created.id })).revokedAt).toEqual(revoked.revokedAt);
    await expect(trpc().tokens.revoke({ id: "3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f" })).rejects.toThrow(/does not exist/);
  });

  it("writes lastUsedAt at most once a minute per token", async () => {
    const created = await trpc().tokens.create({ name: "busy" });
    await call(GET, "GET", "/pipelines/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f", { token: created.token });
    const first = (await prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    await Promise.all(Array.from({ length: 5 }, () => call(GET, "GET", "/pipelines/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f", { token: created.token })));
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).toEqual(first);

    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await prisma.apiToken.update({ where: { id: created.id }, data: { lastUsedAt: twoMinutesAgo } });
    await call(GET, "GET", "/pipelines/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f", { token: created.token });
    const later = (await prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt;
    expect(later!.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 60_000);
  });
});

describe("pipelines", () => {
  it("creates, reads and versions a pipeline", async () => {
    const created = await call(POST, "POST", "/pipelines", { body: { name: "Air quality", graph: graph("ignored name") } });
    expect(created.status).toBe(201);
    const { id, version } = await json<{ id: string; version: number }>(created);
    expect(version).toBe(1);

    const first = await json<{ name: string; version: number; latestVersion: number; graph: { name: string }; createdAt: string }>(await call(GET, "GET", `/pipelines/${id}`));
    expect(first).toMatchObject({ name: "Air quality", version: 1, latestVersion: 1, graph: { name: "Air quality" } });
    expect(new Date(first.createdAt).toISOString()).toBe(first.createdAt);

    const saved = await call(PUT, "PUT", `/pipelines/${id}`, { body: { graph: graph("Air quality v2") } });
    expect(saved.status).toBe(200);
    expect(await json(saved)).toEqual({ id, version: 2 });

    expect(await json(await call(GET, "GET", `/pipelines/${id}`))).toMatchObject({ name: "Air quality v2", version: 2, latestVersion: 2 });
    expect(await json(await call(GET, "GET", `/pipelines/${id}?version=1`))).toMatchObject({ name: "Air quality v2", version: 1, latestVersion: 2, graph: { name: "Air quality" } });
    const missingVersion = await call(GET, "GET", `/pipelines/${id}?version=9`);
    expect(missingVersion.status).toBe(404);
    const badVersion = await call(GET, "GET", `/pipelines/${id}?version=two`);
    expect(badVersion.status).toBe(400);
    expect((await json<ErrorBody>(badVersion)).error.message).toMatch(/^Invalid query parameter version: /);
  });

  it("answers 404 for unknown and malformed ids", async () => {
    for (const [handler, method] of [
      [GET, "GET"],
      [PUT, "PUT"],
    ] as const) {
      const unknown = await call(handler, method, "/pipelines/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f", { body: method === "PUT" ? { graph: graph("x") } : undefined });
      expect(unknown.status).toBe(404);
      expect((await json<ErrorBody>(unknown)).error).toEqual({ code: "not_found", message: "Pipeline 3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f does not exist" });
      const malformed = await call(handler, method, "/pipelines/42", { body: method === "PUT" ? { graph: graph("x") } : undefined });
      expect(malformed.status).toBe(404);
      expect((await json<ErrorBody>(malformed)).error.message).toBe("Pipeline 42 does not exist");
    }
  });

  it("names the field of an invalid body", async () => {
    const response = await call(POST, "POST", "/pipelines", { body: { graph: { format: 1, name: "x", nodes: [{ id: "1bad", type: "source.csv" }], edges: [] } } });
    expect(response.status).toBe(400);
    const { error } = await json<ErrorBody>(response);
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/graph\.nodes\.0\.id: a node id starts with a letter/);
  });

  it("reports every problem of a graph that cannot be saved", async () => {
    const response = await call(POST, "POST", "/pipelines", {
      body: { graph: { format: 1, name: "x", nodes: [{ id: "a", type: "no.such" }, { id: "b", type: "also.missing" }], edges: [] } },
    });
    expect(response.status).toBe(400);
    const { error } = await json<ErrorBody>(response);
    expect(error.code).toBe("graph_invalid");
    expect(error.problems).toHaveLength(2);
    for (const problem of error.problems ?? []) expect(error.message).toContain(problem.message);
  });

  it("refuses JSON bodies over 1 MiB, declared or streamed", async () => {
    const big = JSON.stringify({ graph: { ...graph("big"), padding: "x".repeat(1024 * 1024) } });
    const declared = await call(POST, "POST", "/pipelines", { body: big, headers: { "content-length": String(big.length) } });
    expect(declared.status).toBe(413);
    expect((await json<ErrorBody>(declared)).error.code).toBe("payload_too_large");

    const encoder = new TextEncoder();
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= big.length) return controller.close();
        controller.enqueue(encoder.encode(big.slice(sent, sent + 64 * 1024)));
        sent += 64 * 1024;
      },
    });
    const streamed = await POST(
      streamingRequest(`${BASE}/pipelines`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: stream }),
    );
    expect(streamed.status).toBe(413);
  });

  it("answers 405 for a wrong method and 404 for an unknown path", async () => {
    const wrong = await call(DELETE, "DELETE", "/runs/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    const unknown = await call(GET, "GET", "/nothing/here");
    expect(unknown.status).toBe(404);
    expect((await json<ErrorBody>(unknown)).error.code).toBe("not_found");
  });
});

describe("runs", () => {
  it("refuses to run a pipeline that cannot run, with the reason", async () => {
    const { id } = await json<{ id: string }>(await call(POST, "POST", "/pipelines", { body: { graph: graph("Empty") } }));
    const response = await call(POST, "POST", `/pipelines/${id}/runs`, { body: {} });
    expect(response.status).toBe(400);
    const { error } = await json<ErrorBody>(response);
    expect(error.code).toBe("graph_invalid");
    expect(error.message).toMatch(/no nodes/);
    expect((await call(POST, "POST", "/pipelines/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f/runs")).status).toBe(404);
  });

  it("returns a run with its node runs, counts as numbers", async () => {
    const { runId } = await seedRun();
    const response = await call(GET, "GET", `/runs/${runId}`);
    expect(response.status).toBe(200);
    const run = await json(response);
    expect(run).toMatchObject({ id: runId, status: "failed", error: "src failed", trigger: "api", version: 1, finishedAt: null });
    expect(run.nodes).toEqual([
      expect.objectContaining({ nodeId: "src", status: "failed", rowsIn: 1200, rowsOut: 1000, rowsRejected: 200, rowsTotal: null, error: "src failed" }),
    ]);
    expect(run).not.toHaveProperty("graph");
    expect((await call(GET, "GET", "/runs/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f")).status).toBe(404);
    expect((await call(GET, "GET", "/runs/nope")).status).toBe(404);
  });
});

async function seedRun() {
  const pipeline = await prisma.pipeline.create({ data: { workspaceId, name: "Seeded", latestVersion: 1 } });
  const version = await prisma.pipelineVersion.create({ data: { workspaceId, pipelineId: pipeline.id, number: 1, graph: graph("Seeded") } });
  const run = await prisma.run.create({
    data: { workspaceId, pipelineId: pipeline.id, versionId: version.id, trigger: "api", status: "failed", error: "src failed", startedAt: new Date() },
  });
  await prisma.nodeRun.create({
    data: { workspaceId, runId: run.id, nodeId: "src", nodeType: "source.csv", status: "failed", rowsIn: 1200n, rowsOut: 1000n, rowsRejected: 200n, error: "src failed" },
  });
  return { runId: run.id };
}

describe("quarantine", () => {
  interface Page {
    records: { id: number; record: Record<string, string | null>; status: string; errors: unknown; lineageId: string; nodeId: string }[];
    nextCursor?: string;
  }

  it("pages through a run's records by id and edits one with history", async () => {
    const { runId } = await seedRun();
    await prisma.quarantinedRecord.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({
        workspaceId,
        runId,
        nodeId: "val",
        lineageId: `l${i}`,
        record: { aqi: i === 0 ? "abc" : String(i), city: "Oslo" },
        errors: [{ field: "aqi", rule: "type", value: "abc", message: 'aqi: "abc" is not a number' }],
      })),
    });
    const first = await json<Page>(await call(GET, "GET", `/runs/${runId}/quarantine?limit=2`));
    expect(first.records.map((r) => r.lineageId)).toEqual(["l0", "l1"]);
    expect(typeof first.records[0]?.id).toBe("number");
    expect(first.nextCursor).toBe(String(first.records[1]?.id));
    const second = await json<Page>(await call(GET, "GET", `/runs/${runId}/quarantine?limit=2&cursor=${first.nextCursor}`));
    expect(second.records.map((r) => r.lineageId)).toEqual(["l2", "l3"]);
    const last = await json<Page>(await call(GET, "GET", `/runs/${runId}/quarantine?limit=2&cursor=${second.nextCursor}`));
    expect(last.records.map((r) => r.lineageId)).toEqual(["l4"]);
    expect(last.nextCursor).toBeUndefined();

    const bad = await call(GET, "GET", `/runs/${runId}/quarantine?limit=5000`);
    expect(bad.status).toBe(400);
    expect((await json<ErrorBody>(bad)).error.message).toMatch(/^Invalid query parameter limit: /);
    expect((await call(GET, "GET", "/runs/3f1c2a4e-8a0b-4c1d-9e2f-0a1b2c3d4e5f/quarantine")).status).toBe(404);

    const target = first.records[0]!;
    const edited = await call(PATCH, "PATCH", `/quarantine/${target.id}`, { body: { record: { aqi: 42, city: "Oslo" } } });
    expect(edited.status).toBe(200);
    const record = await json<{ record: unknown; status: string; history: { action: string; by: string; before: unknown; after: unknown; at: string }[] }>(edited);
    expect(record.record).toEqual({ aqi: "42", city: "Oslo" });
    expect(record.status).toBe("fixed");
    expect(record.history).toEqual([{ at: expect.any(String), by: 'Tess Tester <tess.tester@example.test> via token "tests"', action: "edit", before: { aqi: "abc", city: "Oslo" }, after: { aqi: "42", city: "Oslo" } }]);

    const again = await json<{ history: unknown[] }>(await call(PATCH, "PATCH", `/quarantine/${target.id}`, { body: { record: { aqi: "43", city: "Oslo" } } }));
    expect(again.history).toHaveLength(2);
    const fixedOnly = await json<Page>(await call(GET, "GET", `/runs/${runId}/quarantine?status=fixed`));
    expect(fixedOnly.records.map((r) => r.id)).toEqual([target.id]);
  });

  it("refuses edits that cannot apply", async () => {
    const { runId } = await seedRun();
    const settled = await prisma.quarantinedRecord.create({
      data: { workspaceId, runId, nodeId: "val", lineageId: "done", record: { a: "1" }, errors: [], status: "reingested" },
    });
    const conflict = await call(PATCH, "PATCH", `/quarantine/${settled.id}`, { body: { record: { a: "2" } } });
    expect(conflict.status).toBe(409);
    expect((await json<ErrorBody>(conflict)).error.message).toMatch(/is reingested and can no longer be edited/);
    expect((await call(PATCH, "PATCH", "/quarantine/999999", { body: { record: { a: "2" } } })).status).toBe(404);
    expect((await call(PATCH, "PATCH", "/quarantine/abc", { body: { record: { a: "2" } } })).status).toBe(404);
    const invalid = await call(PATCH, "PATCH", `/quarantine/${settled.id}`, { body: { record: { a: { nested: true } } } });
    expect(invalid.status).toBe(400);
    expect((await json<ErrorBody>(invalid)).error.message).toMatch(/record\.a: /);
  });
});
