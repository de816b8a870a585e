import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { POST as trpcPost, GET as trpcGet } from "@/app/api/trpc/[trpc]/route";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { POST as uploadPost } from "@/app/api/uploads/route";
import { POST as restPost } from "@/app/api/v1/[...path]/route";
import { CLIENT_ADDRESS_HEADER } from "@/server/auth/client-address";
import { createApiToken } from "@/server/auth/tokens";
import { closeDatabaseClients, getPrisma } from "@/server/db/client";
import { createMember, sessionCookieFor, type TTestMember } from "@/server/testing/callers";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { serveRoute } from "@/server/testing/route-server";
import { multipartHeaders, multipartStream, csvChunks } from "@/server/rest/testing";
import { frontDoorConfig, type TFrontDoorConfig } from "@/server/http/front-door";
import { readEnv } from "@/server/env";
import { createControlRoomShare, createShare, revokeShare, sharePageEmbedOrigins } from "@/server/services/shares";

/**
 * The front door main.ts puts before Next.js, in front of the real route handlers: requests for
 * other host names (DNS rebinding), cookie-carrying changes from other origins (CSRF) and
 * forged forwarded headers never reach the app.
 */

let db: TestDatabase;
let prisma: PrismaClient;
let owner: TTestMember;
let cookie: string;
let app: Awaited<ReturnType<typeof serveRoute>>;
let port: number;
let workspaceId: string;

/** Every route handler the browser calls, behind one door as in production. */
function routes(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith("/api/trpc/")) return request.method === "GET" ? trpcGet(request) : trpcPost(request);
  if (pathname.startsWith("/api/auth/")) return authPost(request);
  if (pathname === "/api/uploads") return uploadPost(request);
  if (pathname.startsWith("/api/v1/")) return restPost(request);
  if (pathname === "/echo") return Promise.resolve(Response.json(Object.fromEntries(request.headers)));
  if (pathname.startsWith("/share/") || pathname === "/dashboards") return Promise.resolve(new Response("<!doctype html><title>a page</title>", { headers: { "content-type": "text/html" } }));
  return Promise.resolve(new Response("not here", { status: 404 }));
}

/** A raw HTTP request: fetch would not let a test choose Host or the forwarded headers. */
function send(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; text: string; json: () => unknown; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) as unknown, headers: res.headers });
      });
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

const tokenCount = () => prisma.apiToken.count({ where: { userId: owner.id } });

function createToken(headers: Record<string, string>) {
  return send(`${app.url}/api/trpc/tokens.create`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: { name: "from somewhere" } }),
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_AUTH_SECRET = "integration-test-secret-of-at-least-32-characters";
  prisma = getPrisma();
  const workspace = await prisma.workspace.create({ data: { name: "Doors" } });
  owner = await createMember(prisma, workspace.id, "owner", "door owner");
  workspaceId = workspace.id;
  cookie = await sessionCookieFor(owner);
  app = await serveRoute(routes);
  port = Number(new URL(app.url).port);
});

afterAll(async () => {
  await app.close();
  await closeDatabaseClients();
  await db.drop();
});

describe("the Host header (DNS rebinding)", () => {
  it("is refused with 421 and a clear message for a name that is not Sluice's", async () => {
    const res = await send(`${app.url}/api/trpc/account.me`, { headers: { host: `attacker.example:${port}`, cookie } });
    expect(res.status).toBe(421);
    expect(res.text).toContain("attacker.example");
    expect(res.text).toContain("SLUICE_PUBLIC_URL");
    expect((await send(`${app.url}/echo`, { headers: { host: `127.0.0.1.nip.io:${port}` } })).status).toBe(421);
  });

  it("is served for localhost, 127.0.0.1, [::1] and the host of SLUICE_PUBLIC_URL", async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await send(`${app.url}/echo`, { headers: { host } })).status, host).toBe(200);
    }
    const behindName = await serveRoute(routes, { publicUrl: "https://sluice.example.com", trustProxy: false });
    try {
      expect((await send(`${behindName.url}/echo`, { headers: { host: "sluice.example.com" } })).status).toBe(200);
      expect((await send(`${behindName.url}/echo`, { headers: { host: "other.example.com" } })).status).toBe(421);
    } finally {
      await behindName.close();
    }
  });
});

describe("state-changing requests with the session cookie (CSRF)", () => {
  it("are refused from another origin, and without one, and nothing changes", async () => {
    const before = await tokenCount();
    for (const origin of [`http://evil.example`, `http://localhost:${port + 1}`, "null"]) {
      const res = await createToken({ host: `localhost:${port}`, origin, cookie });
      expect(res.status, origin).toBe(403);
      expect(res.text).toContain("Sluice's own pages");
    }
    expect((await createToken({ host: `localhost:${port}`, cookie })).status).toBe(403);
    expect(await tokenCount()).toBe(before);
  });

  it("are let in from the app's own origin", async () => {
    const before = await tokenCount();
    const res = await createToken({ host: `localhost:${port}`, origin: `http://localhost:${port}`, cookie });
    expect(res.status).toBe(200);
    expect(await tokenCount()).toBe(before + 1);
  });

  it("cover better-auth's endpoints: no sign-in or sign-out from another site", async () => {
    const signIn = await send(`${app.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { host: `localhost:${port}`, origin: "http://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ email: owner.email, password: "whatever it is" }),
    });
    expect(signIn.status).toBe(403);
    const signOut = await send(`${app.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { host: `localhost:${port}`, origin: "http://evil.example", cookie, "content-type": "application/json" },
      body: "{}",
    });
    expect(signOut.status).toBe(403);
    // Still signed in: the refused sign-out did nothing.
    expect((await createToken({ host: `localhost:${port}`, origin: `http://localhost:${port}`, cookie })).status).toBe(200);
  });

  it("cover REST calls that carry the cookie, while bearer tokens need no Origin", async () => {
    const body = JSON.stringify({ graph: { format: 1, name: "made over REST", nodes: [], edges: [] } });
    const withCookie = await send(`${app.url}/api/v1/pipelines`, {
      method: "POST",
      headers: { host: `localhost:${port}`, origin: "http://evil.example", cookie, "content-type": "application/json" },
      body,
    });
    expect(withCookie.status).toBe(403);
    const { token } = await createApiToken({ prisma, workspaceId: owner.workspaceId, userId: owner.id, role: "owner" }, { name: "script" });
    const withToken = await send(`${app.url}/api/v1/pipelines`, {
      method: "POST",
      headers: { host: `localhost:${port}`, authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });
    expect(withToken.status).toBe(201);
  });

  it("cover the editor's upload, which X-Forwarded-Host cannot talk into another origin", async () => {
    const upload = multipartStream({ filename: "x.csv", chunks: () => csvChunks(5) });
    const chunks: Buffer[] = [];
    for await (const chunk of upload.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    const headers = multipartHeaders({ host: `localhost:${port}`, origin: "http://evil.example", "x-forwarded-host": "evil.example", cookie });
    expect((await send(`${app.url}/api/uploads`, { method: "POST", headers, body: Buffer.concat(chunks) })).status).toBe(403);
    const own = multipartHeaders({ host: `localhost:${port}`, origin: `http://localhost:${port}`, cookie });
    expect((await send(`${app.url}/api/uploads`, { method: "POST", headers: own, body: Buffer.concat(chunks) })).status).toBe(201);
  });
});

describe("forwarded headers", () => {
  it("are dropped unless SLUICE_TRUST_PROXY is on: the client address is the socket's", async () => {
    const forged = { host: `localhost:${port}`, "x-forwarded-for": "203.0.113.7", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", [CLIENT_ADDRESS_HEADER]: "203.0.113.8" };
    const seen = (await send(`${app.url}/echo`, { headers: forged })).json() as Record<string, string>;
    expect(seen[CLIENT_ADDRESS_HEADER]).toBe("127.0.0.1");
    expect(seen["x-forwarded-host"]).toBeUndefined();
    expect(seen["x-forwarded-proto"]).toBeUndefined();
    expect(seen["x-forwarded-for"]).toBeUndefined();
  });

  it("are believed behind a trusted proxy: the last X-Forwarded-For entry, and X-Forwarded-Host is the host checked", async () => {
    const trusted: TFrontDoorConfig = { publicUrl: "https://sluice.example.com", trustProxy: true };
    const proxied = await serveRoute(routes, trusted);
    try {
      const seen = (await send(`${proxied.url}/echo`, {
        headers: { host: "127.0.0.1", "x-forwarded-for": "198.51.100.1, 203.0.113.7", "x-forwarded-host": "sluice.example.com", "x-forwarded-proto": "https" },
      }).then((r) => r.json())) as Record<string, string>;
      expect(seen[CLIENT_ADDRESS_HEADER]).toBe("203.0.113.7");
      expect(seen["x-forwarded-host"]).toBe("sluice.example.com");
      expect((await send(`${proxied.url}/echo`, { headers: { host: "127.0.0.1", "x-forwarded-host": "attacker.example" } })).status).toBe(421);
    } finally {
      await proxied.close();
    }
  });
});

describe("framing", () => {
  it("lets only the origins a share link lists frame its page; nothing else is framed by anyone", async () => {
    const framing = await serveRoute(routes, { ...frontDoorConfig(readEnv()), embedOriginsFor: (path) => sharePageEmbedOrigins(getPrisma, path) });
    try {
      const ctx = { prisma, pool: db.pool, workspaceId, actor: "door owner" };
      const embeddable = await createControlRoomShare(ctx, { embedOrigins: ["https://wiki.example.com", "http://localhost:8080"] });
      const plain = await createShare(ctx, (await prisma.pipeline.create({ data: { workspaceId, name: "framed?" } })).id, {});
      const headersOf = async (path: string) => (await send(`${framing.url}${path}`)).headers;
      const pathOf = (url: string) => new URL(url).pathname;

      const allowed = await headersOf(pathOf(embeddable.url));
      expect(allowed["content-security-policy"]).toContain("frame-ancestors https://wiki.example.com http://localhost:8080;");
      expect(allowed["x-frame-options"]).toBeUndefined();
      expect((await headersOf(`${pathOf(embeddable.url)}?_rsc=abc`))["content-security-policy"]).toContain("frame-ancestors https://wiki.example.com http://localhost:8080;");

      for (const path of [pathOf(plain.url), `/share/${"A".repeat(43)}`, "/dashboards", "/api/v1/openapi.json"]) {
        const refused = await headersOf(path);
        expect(refused["content-security-policy"], path).toContain("frame-ancestors 'none'");
        expect(refused["x-frame-options"], path).toBe("DENY");
      }
      await revokeShare(ctx, embeddable.id);
      expect((await headersOf(pathOf(embeddable.url)))["content-security-policy"]).toContain("frame-ancestors 'none'");
    } finally {
      await framing.close();
    }
  });
});
