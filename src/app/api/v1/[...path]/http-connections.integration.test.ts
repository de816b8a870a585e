import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabaseClients } from "@/server/db/client";
import { startApiServer } from "@/server/testing/api-server";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { GET, PATCH, POST } from "./route";

const ADMIN_TOKEN = "admin-secret-for-tests-0123456789";
const BASE = "http://localhost/api/v1";
const TOKEN = "api-token-that-must-not-leak-42";
const CLIENT_SECRET = "client-secret-that-must-not-leak";

let db: TestDatabase;
let api: Awaited<ReturnType<typeof startApiServer>>;

async function call<T = unknown>(handler: (request: Request) => Promise<Response>, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await handler(new Request(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
  const text = await response.text();
  return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as T };
}

let named = 0;
async function connectionTest(config: unknown, secrets: Record<string, string> = {}) {
  const created = await call<{ id: string }>(POST, "POST", "/connections", { name: `api ${++named}`, type: "http", config, secrets });
  expect(created.status, created.text).toBe(201);
  const tested = await call<{ ok: boolean; message: string }>(POST, "POST", `/connections/${created.body.id}/test`);
  expect(tested.status, tested.text).toBe(200);
  return { id: created.body.id, ...tested.body, text: tested.text };
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_API_TOKEN = ADMIN_TOKEN;
  api = await startApiServer((r) => {
    if (r.url.pathname === "/oauth/token") {
      const ok = r.headers.authorization === `Basic ${Buffer.from(`app:${CLIENT_SECRET}`).toString("base64")}`;
      return ok ? { json: { access_token: "fetched-access-token", expires_in: 3600 } } : { status: 401, json: { error: "invalid_client" } };
    }
    if (r.url.pathname === "/broken") return { status: 500, text: "upstream exploded" };
    const authorized = r.headers.authorization === `Bearer ${TOKEN}` || r.headers.authorization === "Bearer fetched-access-token" || r.url.searchParams.get("key") === TOKEN;
    return authorized ? { json: { ok: true } } : { status: 401, json: { error: `bad credentials ${r.headers.authorization ?? r.url.searchParams.get("key")}` } };
  });
});
afterAll(async () => {
  await api?.close();
  await closeDatabaseClients();
  await db?.drop();
});

describe("HTTP connections", () => {
  it("keeps the token write-only and tests it with one authenticated request", async () => {
    const tested = await connectionTest({ baseUrl: `${api.url}/v1/`, auth: { type: "bearer" } }, { token: TOKEN });
    expect(tested).toMatchObject({ ok: true, message: `Reached ${api.url}/v1/ with bearer authentication: it answered 200` });
    const listed = await call<{ id: string; type: string; secretsSet: string[] }[]>(GET, "GET", "/connections");
    expect(listed.body.find((c) => c.id === tested.id)).toMatchObject({ type: "http", secretsSet: ["token"] });
    expect(listed.text).not.toContain(TOKEN);
  });

  it("a refused token fails as authentication, naming the URL and status but not the token", async () => {
    const tested = await connectionTest({ baseUrl: api.url, auth: { type: "bearer" } }, { token: "wrong-token-not-to-echo" });
    expect(tested.ok).toBe(false);
    expect(tested.message).toMatch(new RegExp(`^Authentication failed: ${api.url}/ answered 401 Unauthorized with bearer authentication: `));
    expect(tested.text).not.toContain("wrong-token-not-to-echo");
  });

  it("an API key in the query is masked in what the test says", async () => {
    const tested = await connectionTest({ baseUrl: `${api.url}/broken`, auth: { type: "query", name: "key" } }, { value: TOKEN });
    expect(tested).toMatchObject({ ok: false, message: `${api.url}/broken answered 500: upstream exploded` });
    expect(tested.text).not.toContain(TOKEN);
  });

  it("OAuth2: fetches a token with the client credentials first, and says so when they are refused", async () => {
    const auth = { type: "oauth2", tokenUrl: `${api.url}/oauth/token`, clientId: "app" };
    expect(await connectionTest({ baseUrl: api.url, auth }, { clientSecret: CLIENT_SECRET })).toMatchObject({ ok: true });
    const refused = await connectionTest({ baseUrl: api.url, auth }, { clientSecret: "not-the-client-secret" });
    expect(refused.ok).toBe(false);
    expect(refused.message).toBe(`OAuth2: could not get an access token: POST ${api.url}/oauth/token answered 401 Unauthorized: the API refused the credentials; check the connection's authentication: {"error":"invalid_client"}`);
    expect(refused.text).not.toContain("not-the-client-secret");
  });

  it("says DNS, refused or TLS when the server cannot be reached", async () => {
    expect((await connectionTest({ baseUrl: "http://no-such-host.invalid/" })).message).toBe('GET http://no-such-host.invalid/: DNS: the host name "no-such-host.invalid" does not resolve');
    const closed = await startApiServer(() => ({ json: {} }));
    await closed.close();
    expect((await connectionTest({ baseUrl: closed.url })).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/: Connection refused: nothing accepts connections on 127\.0\.0\.1:\d+$/);
    // TLS spoken to a plain-HTTP server fails in the handshake.
    expect((await connectionTest({ baseUrl: api.url.replace("http:", "https:") })).message).toMatch(/^GET https:\/\/127\.0\.0\.1:\d+\/: TLS: /);
  });

  it("a missing secret is named before any request", async () => {
    expect(await connectionTest({ baseUrl: api.url, auth: { type: "header", name: "X-Key" } })).toMatchObject({ ok: false, message: expect.stringContaining('its secret "value" is not set') });
  });

  it.each([
    [{ auth: { type: "header" } }, /config\.auth\.name: An API key in the header needs auth\.name/],
    [{ auth: { type: "oauth2", clientId: "x" } }, /config\.auth\.tokenUrl/],
    [{ baseUrl: "ftp://example.com" }, /config\.baseUrl/],
  ])("refuses the config %j with 400 and the reason", async (config, reason) => {
    const refused = await call<{ error: { message: string } }>(POST, "POST", "/connections", { name: `refused ${JSON.stringify(config)}`, type: "http", config });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(reason);
  });

  it("PATCH checks the http config and secrets", async () => {
    const { id } = await connectionTest({ baseUrl: api.url });
    expect((await call(PATCH, "PATCH", `/connections/${id}`, { secrets: { password: "x", smtpOnly: "y" } })).status).toBe(400);
    const changed = await call<{ secretsSet: string[] }>(PATCH, "PATCH", `/connections/${id}`, { config: { baseUrl: api.url, auth: { type: "bearer" } }, secrets: { token: TOKEN } });
    expect(changed.body.secretsSet).toEqual(["token"]);
    expect((await call<{ ok: boolean }>(POST, "POST", `/connections/${id}/test`)).body.ok).toBe(true);
  });
});
