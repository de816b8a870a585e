import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { POST as trpcPost, GET as trpcGet } from "@/app/api/trpc/[trpc]/route";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { POST as restPost } from "@/app/api/v1/[...path]/route";
import { createApiToken } from "@/server/auth/tokens";
import { closeDatabaseClients, getPrisma } from "@/server/db/client";
import { MAX_JSON_DEPTH, MAX_REQUEST_BODY_BYTES } from "@/server/http/body-limit";
import { createMember, sessionCookieFor, type TTestMember } from "@/server/testing/callers";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { serveRoute } from "@/server/testing/route-server";

/**
 * Bodies are bounded on every JSON entry point (tRPC, better-auth, REST) without the server
 * ever holding a whole oversized body: a declared length over the limit is refused before the
 * body is sent, a chunked one once the limit is passed, and hostile depth is a 400.
 */

let db: TestDatabase;
let prisma: PrismaClient;
let owner: TTestMember;
let cookie: string;
let token: string;
let app: Awaited<ReturnType<typeof serveRoute>>;
let origin: string;

function routes(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith("/api/trpc/")) return request.method === "GET" ? trpcGet(request) : trpcPost(request);
  if (pathname.startsWith("/api/auth/")) return authPost(request);
  return restPost(request);
}

interface TAnswer {
  status: number;
  text: string;
  /** Body bytes the client had written when the answer came. */
  sent: number;
}

/**
 * Sends `total` bytes of body (chunked unless `contentLength` is given), a chunk at a time,
 * and stops writing as soon as the server answers: what was sent by then shows the server
 * refused while the body was still coming.
 */
function sendStreaming(path: string, opts: { headers: Record<string, string>; total: number; contentLength?: number; first?: string }): Promise<TAnswer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const headers = { ...opts.headers, ...(opts.contentLength !== undefined ? { "content-length": String(opts.contentLength) } : {}) };
    const req = httpRequest(`${app.url}${path}`, { method: "POST", headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), sent });
        req.destroy();
      });
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, " ");
    const pump = () => {
      if (opts.first && sent === 0) {
        req.write(opts.first);
        sent += opts.first.length;
      }
      while (!answered && sent < opts.total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    if (opts.total === 0) req.flushHeaders();
    else pump();
  });
}

function post(path: string, body: string, headers: Record<string, string>): Promise<TAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${app.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), sent: body.length }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const HUNDRED_MB = 100 * 1024 * 1024;

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_AUTH_SECRET = "integration-test-secret-of-at-least-32-characters";
  prisma = getPrisma();
  const workspace = await prisma.workspace.create({ data: { name: "Limits" } });
  owner = await createMember(prisma, workspace.id, "owner", "limits owner");
  cookie = await sessionCookieFor(owner);
  token = (await createApiToken({ prisma, workspaceId: owner.workspaceId, userId: owner.id, role: "owner" }, { name: "limits" })).token;
  app = await serveRoute(routes);
  origin = app.url;
});

afterAll(async () => {
  await app.close();
  await closeDatabaseClients();
  await db.drop();
});

const entryPoints = (): { path: string; headers: Record<string, string> }[] => [
  { path: "/api/trpc/pipelines.create", headers: { origin, cookie } },
  { path: "/api/auth/sign-in/email", headers: { origin } },
  { path: "/api/v1/pipelines", headers: { authorization: `Bearer ${token}` } },
];

describe("an oversized body", () => {
  it("with a declared Content-Length is refused with 413 before any of it is sent", async () => {
    for (const { path, headers } of entryPoints()) {
      const answer = await sendStreaming(path, { headers: { "content-type": "application/json", ...headers }, total: 0, contentLength: 200 * 1024 * 1024 });
      expect(answer.status, path).toBe(413);
      expect(answer.sent).toBe(0);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: "payload_too_large" } });
    }
  });

  it("sent chunked is refused with 413 once the limit is passed, long before the client is done", async () => {
    for (const { path, headers } of entryPoints()) {
      const answer = await sendStreaming(path, { headers: { "content-type": "application/json", ...headers }, total: HUNDRED_MB, first: '{"json":{"name":"' });
      expect(answer.status, path).toBe(413);
      expect(answer.text).toContain("larger than the limit");
      // The server stopped reading near its limit: the client could not push much further before the answer.
      expect(answer.sent, path).toBeLessThan(MAX_REQUEST_BODY_BYTES + 16 * 1024 * 1024);
    }
  });

  it("does not stop a body within the limit", async () => {
    const name = "x".repeat(150);
    const res = await post("/api/trpc/pipelines.create", JSON.stringify({ json: { name } }), { origin, cookie });
    expect(res.status).toBe(200);
    expect(await prisma.pipeline.count({ where: { name } })).toBe(1);
  });
});

describe("deeply nested JSON", () => {
  const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

  it("is refused with a clear 400 on tRPC, better-auth and REST, and the server goes on answering", async () => {
    const bodies = {
      "/api/trpc/pipelines.create": `{"json":{"name":"deep","graph":${deep(100_000)}}}`,
      "/api/auth/sign-in/email": `{"email":${deep(100_000)},"password":"x"}`,
      "/api/v1/pipelines": `{"graph":${deep(100_000)}}`,
    };
    for (const { path, headers } of entryPoints()) {
      const res = await post(path, bodies[path as keyof typeof bodies], headers);
      expect(res.status, path).toBe(400);
      expect(res.text, path).toContain(`more than ${MAX_JSON_DEPTH} levels deep`);
    }
    const input = encodeURIComponent(JSON.stringify({ json: { id: "x" } }).replace('"x"', deep(2_000)));
    const query = await new Promise<number>((resolve, reject) => {
      httpRequest(`${app.url}/api/trpc/pipelines.get?input=${input}`, { headers: { cookie } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on("error", reject).end();
    });
    expect(query).toBe(400);
    expect((await post("/api/trpc/pipelines.create", JSON.stringify({ json: { name: "after the deep ones" } }), { origin, cookie })).status).toBe(200);
  });

  it("within the depth limit passes the door", async () => {
    const res = await post("/api/v1/pipelines", `{"graph":{"format":1,"name":"nested","nodes":[],"edges":[]},"note":${deep(MAX_JSON_DEPTH - 2)}}`, { authorization: `Bearer ${token}` });
    expect(res.text).not.toContain("levels deep");
  });
});
