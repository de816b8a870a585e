import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { POST as trpcPost, GET as trpcGet } from "@/app/api/trpc/[trpc]/route";
import { GET as restGet } from "@/app/api/v1/[...path]/route";
import { createApiToken } from "@/server/auth/tokens";
import { closeDatabaseClients, getPrisma } from "@/server/db/client";
import { createMember, sessionCookieFor, type TTestMember } from "@/server/testing/callers";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { serveRoute } from "@/server/testing/route-server";

/**
 * A failure nobody anticipated (here: the pipelines table is gone, so Prisma throws an error
 * that names the calling source file and line) reaches the client as a plain message: no
 * server path, no stack trace, no SQL, on tRPC and REST alike; the log has the whole error.
 */

let db: TestDatabase;
let prisma: PrismaClient;
let owner: TTestMember;
let cookie: string;
let token: string;
let app: Awaited<ReturnType<typeof serveRoute>>;
const ROOT = path.resolve(import.meta.dirname, "../../..");

function routes(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith("/api/trpc/")) return request.method === "GET" ? trpcGet(request) : trpcPost(request);
  return restGet(request);
}

function expectNoInternals(text: string) {
  expect(text).not.toContain(ROOT);
  expect(text).not.toMatch(/\.(ts|js|mjs|cjs):\d+/);
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain("\\n    at ");
  expect(text).not.toContain("stack");
  expect(text).not.toMatch(/prisma\.\w+\.\w+\(\)|invocation/);
  expect(text).not.toContain("pipelines_hidden");
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_AUTH_SECRET = "integration-test-secret-of-at-least-32-characters";
  prisma = getPrisma();
  const workspace = await prisma.workspace.create({ data: { name: "Failures" } });
  owner = await createMember(prisma, workspace.id, "owner", "failure owner");
  cookie = await sessionCookieFor(owner);
  token = (await createApiToken({ prisma, workspaceId: owner.workspaceId, userId: owner.id, role: "owner" }, { name: "failures" })).token;
  app = await serveRoute(routes);
  await prisma.$executeRawUnsafe(`ALTER TABLE pipelines RENAME TO pipelines_hidden`);
});

afterAll(async () => {
  await prisma.$executeRawUnsafe(`ALTER TABLE pipelines_hidden RENAME TO pipelines`);
  await app.close();
  await closeDatabaseClients();
  await db.drop();
});

describe("an internal error", () => {
  it("over tRPC is a 500 with a plain message and no stack, while the log has the cause", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const res = await fetch(`${app.url}/api/trpc/pipelines.list`, { headers: { cookie } });
      const text = await res.text();
      expect(res.status).toBe(500);
      expectNoInternals(text);
      const body = JSON.parse(text) as { error: { json: { message: string; data: Record<string, unknown> } } };
      expect(body.error.json.message).toContain("Something went wrong on the server");
      expect(body.error.json.data).not.toHaveProperty("stack");
      expect(logged.mock.calls.map((call) => call.map(String).join(" ")).join("\n")).toContain("pipelines");
    } finally {
      logged.mockRestore();
    }
  });

  it("over REST is a 500 with a plain message", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const res = await fetch(`${app.url}/api/v1/pipelines/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      expect(res.status).toBe(500);
      expectNoInternals(text);
      expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: expect.stringContaining("Something went wrong on the server") as unknown } });
    } finally {
      logged.mockRestore();
    }
  });

  it("keeps the messages of errors that are meant for people: a refused input says what is wrong, and no stack", async () => {
    const res = await fetch(`${app.url}/api/trpc/pipelines.get?input=${encodeURIComponent(JSON.stringify({ json: { id: "not-a-uuid" } }))}`, { headers: { cookie } });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).toContain("id");
    expectNoInternals(text);
  });
});
