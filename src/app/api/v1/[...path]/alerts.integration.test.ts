import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabaseClients } from "@/server/db/client";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { startSmtpReceiver } from "@/server/testing/smtp-receiver";
import { DELETE, GET, PATCH, POST } from "./route";

const ADMIN_TOKEN = "admin-secret-for-tests-0123456789";
const BASE = "http://localhost/api/v1";
const MISSING = "00000000-0000-4000-8000-000000000000";
const PASSWORD = "hunter2-but-longer";

let db: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;

async function call<T = unknown>(handler: (request: Request) => Promise<Response>, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await handler(new Request(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
  const text = await response.text();
  return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as T };
}

async function createId(path: string, body: unknown): Promise<string> {
  const created = await call<{ id: string }>(POST, "POST", path, body);
  expect(created.status, created.text).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_API_TOKEN = ADMIN_TOKEN;
  smtp = await startSmtpReceiver({
    allowInsecureAuth: true,
    authOptional: true,
    onAuth(auth, _session, callback) {
      if (auth.username === "sluice" && auth.password === PASSWORD) callback(null, { user: "sluice" });
      else callback(new Error("Invalid username or password"));
    },
  });
});
afterAll(async () => {
  await smtp?.close();
  await closeDatabaseClients();
  await db?.drop();
});

describe("PATCH /alert-rules/:id", () => {
  let channelId: string;
  let otherChannelId: string;
  beforeAll(async () => {
    channelId = await createId("/alert-channels", { type: "slack", name: "team room", config: { url: "http://127.0.0.1:9/hooks/team" } });
    otherChannelId = await createId("/alert-channels", { type: "slack", name: "on call", config: { url: "http://127.0.0.1:9/hooks/on-call" } });
  });

  it("disables a rule, changes its threshold and replaces its channels, keeping what was not sent", async () => {
    const id = await createId("/alert-rules", { kind: "reject_rate", threshold: 5, channelIds: [channelId] });
    const disabled = await call<{ enabled: boolean; threshold: number; channelIds: string[]; description: string }>(PATCH, "PATCH", `/alert-rules/${id}`, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ enabled: false, threshold: 5, channelIds: [channelId] });

    const changed = await call<{ enabled: boolean; threshold: number; channelIds: string[]; description: string }>(PATCH, "PATCH", `/alert-rules/${id}`, {
      threshold: 12.5,
      channelIds: [otherChannelId],
    });
    expect(changed.body).toMatchObject({ enabled: false, threshold: 12.5, channelIds: [otherChannelId], description: "Reject rate above 12.5%" });
    const listed = await call<{ id: string; enabled: boolean; threshold: number }[]>(GET, "GET", "/alert-rules");
    expect(listed.body.find((r) => r.id === id)).toMatchObject({ enabled: false, threshold: 12.5 });
  });

  it.each([
    [{ threshold: 150 }, /percent \(0–100\)/],
    [{ channelIds: [] }, /channelIds/],
    [{ channelIds: [MISSING] }, /no alert channel/],
  ])("refuses %j with 400 and the reason, changing nothing", async (update, reason) => {
    const id = await createId("/alert-rules", { kind: "reject_rate", threshold: 5, channelIds: [channelId] });
    const refused = await call<{ error: { code: string; message: string } }>(PATCH, "PATCH", `/alert-rules/${id}`, update);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(reason);
    const listed = await call<{ id: string; threshold: number; channelIds: string[] }[]>(GET, "GET", "/alert-rules");
    expect(listed.body.find((r) => r.id === id)).toMatchObject({ threshold: 5, channelIds: [channelId] });
  });

  it("answers 404 for a rule that does not exist", async () => {
    expect((await call(PATCH, "PATCH", `/alert-rules/${MISSING}`, { enabled: false })).status).toBe(404);
  });
});

describe("PATCH /connections/:id", () => {
  const config = () => ({ host: "127.0.0.1", port: smtp.port, security: "none", username: "sluice", from: "Sluice <sluice@example.com>" });

  it("renames a connection without sending the password again, and never answers with it", async () => {
    const id = await createId("/connections", { name: "office mail", type: "smtp", config: config(), secrets: { password: PASSWORD } });
    const renamed = await call<{ name: string; secretsSet: string[]; config: Record<string, unknown> }>(PATCH, "PATCH", `/connections/${id}`, { name: "head office mail" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "head office mail", secretsSet: ["password"], config: { host: "127.0.0.1", username: "sluice" } });
    expect(renamed.text).not.toContain(PASSWORD);
    const tested = await call<{ ok: boolean; message: string }>(POST, "POST", `/connections/${id}/test`);
    expect(tested.body).toMatchObject({ ok: true });
    expect(tested.body.message).toContain('signed in as "sluice"');
  });

  it("replaces the config and removes a secret with null", async () => {
    const id = await createId("/connections", { name: "relay", type: "smtp", config: config(), secrets: { password: PASSWORD } });
    const changed = await call<{ secretsSet: string[]; config: Record<string, unknown> }>(PATCH, "PATCH", `/connections/${id}`, {
      config: { host: "mail.invalid", port: 2525, security: "none", from: "Reports <reports@example.com>" },
      secrets: { password: null },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.secretsSet).toEqual([]);
    expect(changed.body.config).toEqual({ host: "mail.invalid", port: 2525, security: "none", from: "Reports <reports@example.com>" });
    const tested = await call<{ ok: boolean; message: string }>(POST, "POST", `/connections/${id}/test`);
    expect(tested.body.ok).toBe(false);
    expect(tested.body.message).toMatch(/mail\.invalid/);
    expect((await call(DELETE, "DELETE", `/connections/${id}`)).status).toBe(204);
  });

  it.each([
    [{ config: { host: "", from: "x@example.com" } }, /config\.host/],
    [{ config: { host: "127.0.0.1", port: 70000, from: "x@example.com" } }, /config\.port/],
    [{ name: "" }, /name/],
    [{ secrets: { apiKey: "x" } }, /secrets/],
  ])("refuses %j with 400 and the reason", async (update, reason) => {
    const id = await createId("/connections", { name: `refusing ${JSON.stringify(update)}`, type: "smtp", config: config() });
    const refused = await call<{ error: { message: string } }>(PATCH, "PATCH", `/connections/${id}`, update);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(reason);
  });

  it("refuses a name another connection has with 409, and answers 404 for one that does not exist", async () => {
    await createId("/connections", { name: "taken", type: "smtp", config: config() });
    const id = await createId("/connections", { name: "free", type: "smtp", config: config() });
    expect((await call(PATCH, "PATCH", `/connections/${id}`, { name: "taken" })).status).toBe(409);
    expect((await call(PATCH, "PATCH", `/connections/${MISSING}`, { name: "x" })).status).toBe(404);
  });
});
