import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { GET as restGet } from "@/app/api/v1/[...path]/route";
import { BEARER_LIMITS } from "@/server/auth/throttle";
import { createApiToken } from "@/server/auth/tokens";
import { closeDatabaseClients, getPrisma } from "@/server/db/client";
import { createMember, type TTestMember } from "@/server/testing/callers";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { serveRoute } from "@/server/testing/route-server";

/** Wrong API tokens are counted per client address (as the front door sees it) and answered 429 once too many came. */

let db: TestDatabase;
let prisma: PrismaClient;
let owner: TTestMember;
let token: string;
let app: Awaited<ReturnType<typeof serveRoute>>;

const PIPELINE = "/api/v1/pipelines/00000000-0000-4000-8000-000000000000";
/** A right token reads this as 404 (no such pipeline), a wrong one gets 401. */
const ADMITTED = 404;

/** Behind a trusted proxy, so each test can speak from its own address through X-Forwarded-For. */
function getPipeline(bearer: string, address: string) {
  return fetch(`${app.url}${PIPELINE}`, { headers: { authorization: `Bearer ${bearer}`, "x-forwarded-for": address, "x-forwarded-host": "127.0.0.1" } });
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  prisma = getPrisma();
  const workspace = await prisma.workspace.create({ data: { name: "Throttle" } });
  owner = await createMember(prisma, workspace.id, "owner", "throttle owner");
  token = (await createApiToken({ prisma, workspaceId: owner.workspaceId, userId: owner.id, role: "owner" }, { name: "good" })).token;
  app = await serveRoute(restGet, { trustProxy: true });
});

afterAll(async () => {
  await app.close();
  await closeDatabaseClients();
  await db.drop();
});

describe("wrong bearer tokens", () => {
  it("are answered 401 up to the limit, then 429 with Retry-After, even for a right token from that address", async () => {
    const attacker = "203.0.113.50";
    for (let i = 0; i < BEARER_LIMITS.maxFailures; i++) {
      const res = await getPipeline(`sluice_wrong${i}`, attacker);
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const refused = await getPipeline("sluice_wrong-again", attacker);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(BEARER_LIMITS.lockoutMs / 1000);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("too_many_requests");
    expect(body.error.message).toContain("wrong API tokens");
    // A hit during the lock-out looks like any other refusal, so it tells a guesser nothing.
    expect((await getPipeline(token, attacker)).status).toBe(429);
  });

  it("from one address leave other addresses alone", async () => {
    for (let i = 0; i < BEARER_LIMITS.maxFailures + 1; i++) await getPipeline(`sluice_bad${i}`, "198.51.100.9");
    expect((await getPipeline(token, "198.51.100.10")).status).toBe(ADMITTED);
    expect((await getPipeline("sluice_other", "198.51.100.10")).status).toBe(401);
  });

  it("are counted again after the lock-out ends", async () => {
    const address = "192.0.2.77";
    for (let i = 0; i < BEARER_LIMITS.maxFailures; i++) await getPipeline(`sluice_x${i}`, address);
    expect((await getPipeline(token, address)).status).toBe(429);
    await prisma.signInThrottle.updateMany({ where: { key: `token-address:${address}` }, data: { lockedUntil: new Date(Date.now() - 1000), firstFailureAt: new Date(Date.now() - BEARER_LIMITS.windowMs - 1000) } });
    expect((await getPipeline(token, address)).status).toBe(ADMITTED);
    expect((await getPipeline("sluice_y", address)).status).toBe(401);
  });

  it("does not count requests without any token", async () => {
    const address = "192.0.2.88";
    for (let i = 0; i < BEARER_LIMITS.maxFailures + 2; i++) {
      const res = await fetch(`${app.url}${PIPELINE}`, { headers: { "x-forwarded-for": address, "x-forwarded-host": "127.0.0.1" } });
      expect(res.status).toBe(401);
    }
    expect((await getPipeline(token, address)).status).toBe(ADMITTED);
  });
});
