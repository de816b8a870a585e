import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { closeDatabaseClients, getPrisma } from "../db/client";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { defaultWorkspaceId } from "../workspace";
import { bootstrapOwnerFromEnv, createOwner, createPasswordResetLink } from "./accounts";
import { getAuth } from "./auth";
import { callerFromSession } from "./caller";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import { MAX_FAILURES } from "./throttle";

let db: TestDatabase;
let prisma: PrismaClient;
const OWNER = { name: "Olga Owner", email: "olga@example.test", password: "a long enough owner password" };

/** A request to better-auth's HTTP handler as a browser on `address` sends it. */
function authRequest(path: string, body: unknown, address = "203.0.113.1", cookie?: string) {
  return getAuth().handler(
    new Request(`http://localhost:3000/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:3000", [CLIENT_ADDRESS_HEADER]: address, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    }),
  );
}

function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("sluice.session_token="));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  return cookie.split(";")[0]!;
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_AUTH_SECRET = "integration-test-secret-of-at-least-32-characters";
  prisma = getPrisma();
});

afterAll(async () => {
  await closeDatabaseClients();
  await db.drop();
});

describe("first run", () => {
  it("makes the first user the owner of the default workspace, which keeps the data made before, and adopts old tokens", async () => {
    const workspaceId = await defaultWorkspaceId(prisma);
    const pipeline = await prisma.pipeline.create({ data: { workspaceId, name: "Made before accounts" } });
    const token = await prisma.apiToken.create({ data: { workspaceId, name: "old script", prefix: "slc_old", tokenHash: "f".repeat(64) } });

    await expect(createOwner(prisma, { ...OWNER, password: "short" })).rejects.toThrow(/at least 12 characters/);
    await expect(createOwner(prisma, { ...OWNER, password: "qwerty123456" })).rejects.toThrow(/commonly used/);
    const owner = await createOwner(prisma, OWNER);

    expect(owner.workspaceId).toBe(workspaceId);
    expect(await prisma.membership.findMany({ where: { userId: owner.id }, select: { workspaceId: true, role: true } })).toEqual([{ workspaceId, role: "owner" }]);
    expect((await prisma.pipeline.findUniqueOrThrow({ where: { id: pipeline.id } })).workspaceId).toBe(workspaceId);
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } })).userId).toBe(owner.id);
  });

  it("happens once: neither setup nor the environment bootstrap creates a second owner", async () => {
    await expect(createOwner(prisma, { ...OWNER, email: "second@example.test" })).rejects.toThrow(/already set up/);
    expect(await bootstrapOwnerFromEnv(prisma, { SLUICE_ADMIN_EMAIL: "env@example.test", SLUICE_ADMIN_PASSWORD: "another long password" })).toBeNull();
    expect(await prisma.user.count()).toBe(1);
  });
});

describe("signing in", () => {
  it("sets an HTTP-only SameSite session cookie that names the caller, their workspace and role", async () => {
    const response = await authRequest("/sign-in/email", { email: OWNER.email, password: OWNER.password });
    expect(response.status).toBe(200);
    const raw = response.headers.getSetCookie().find((c) => c.startsWith("sluice.session_token="))!;
    expect(raw).toMatch(/HttpOnly/i);
    expect(raw).toMatch(/SameSite=Lax/i);
    expect(raw).not.toMatch(/Secure/i); // plain http://localhost; https public URLs get Secure cookies

    const caller = await callerFromSession(prisma, new Headers({ cookie: sessionCookie(response) }));
    expect(caller).toMatchObject({ user: { email: OWNER.email }, role: "owner", workspaceId: await defaultWorkspaceId(prisma), actor: `${OWNER.name} <${OWNER.email}>` });
    expect(await prisma.auditEvent.findFirst({ where: { action: "sign-in" }, orderBy: { id: "desc" } })).toMatchObject({ actor: `${OWNER.name} <${OWNER.email}>`, ipAddress: "203.0.113.1" });
  });

  it("answers a wrong password and an unknown email alike", async () => {
    const wrong = await authRequest("/sign-in/email", { email: OWNER.email, password: "not the password at all" }, "198.51.100.7");
    const unknown = await authRequest("/sign-in/email", { email: "nobody@example.test", password: "not the password at all" }, "198.51.100.7");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
    expect(await prisma.auditEvent.count({ where: { action: "sign-in.failed" } })).toBe(2);
  });

  it(`locks an account for 15 minutes after ${MAX_FAILURES} failures, from any address, with a message saying so`, async () => {
    const email = "lock-me@example.test";
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await authRequest("/sign-in/email", { email, password: `wrong guess ${i}`.padEnd(12, "!") }, `192.0.2.${i + 1}`)).status).toBe(401);
    }
    const locked = await authRequest("/sign-in/email", { email, password: "whatever it is" }, "192.0.2.200");
    expect(locked.status).toBe(429);
    expect((await locked.json()).message).toMatch(/Too many failed sign-ins for this account or from this address\. Try again in 15 minutes/);
  });

  it(`locks an address after ${MAX_FAILURES} failures across accounts, while the owner can still sign in from elsewhere`, async () => {
    const address = "192.0.2.250";
    for (let i = 0; i < MAX_FAILURES; i++) {
      await authRequest("/sign-in/email", { email: `spray${i}@example.test`, password: "a sprayed password" }, address);
    }
    expect((await authRequest("/sign-in/email", { email: OWNER.email, password: OWNER.password }, address)).status).toBe(429);
    expect((await authRequest("/sign-in/email", { email: OWNER.email, password: OWNER.password }, "192.0.2.251")).status).toBe(200);
  });

  it("ends the session on sign-out", async () => {
    const cookie = sessionCookie(await authRequest("/sign-in/email", { email: OWNER.email, password: OWNER.password }, "203.0.113.9"));
    expect(await callerFromSession(prisma, new Headers({ cookie }))).not.toBeNull();
    expect((await authRequest("/sign-out", {}, "203.0.113.9", cookie)).status).toBe(200);
    expect(await callerFromSession(prisma, new Headers({ cookie }))).toBeNull();
  });
});

describe("a lost password", () => {
  it("is reset through a one-time link, which also ends every other session", async () => {
    const before = sessionCookie(await authRequest("/sign-in/email", { email: OWNER.email, password: OWNER.password }, "203.0.113.10"));
    expect(await createPasswordResetLink(prisma, "nobody@example.test")).toBeNull();
    const link = await createPasswordResetLink(prisma, OWNER.email.toUpperCase());
    expect(link).toMatch(/^http:\/\/localhost:3000\/reset-password\?token=/);
    const token = new URL(link!).searchParams.get("token");

    expect((await authRequest("/reset-password", { token, newPassword: "password1234" })).status).toBe(400);
    expect((await authRequest("/reset-password", { token, newPassword: "the new owner password" })).status).toBe(200);
    expect((await authRequest("/reset-password", { token, newPassword: "and once more again" })).status).toBe(400);

    expect(await callerFromSession(prisma, new Headers({ cookie: before }))).toBeNull();
    expect((await authRequest("/sign-in/email", { email: OWNER.email, password: OWNER.password }, "203.0.113.11")).status).toBe(401);
    expect((await authRequest("/sign-in/email", { email: OWNER.email, password: "the new owner password" }, "203.0.113.11")).status).toBe(200);
  });

  it("cannot be asked for over HTTP, nor can anyone sign up there", async () => {
    expect((await authRequest("/request-password-reset", { email: OWNER.email })).status).toBe(404);
    expect((await authRequest("/sign-up/email", { email: "new@example.test", password: "a long enough password", name: "New" })).status).toBe(404);
  });
});
