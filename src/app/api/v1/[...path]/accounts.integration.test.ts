import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { GET as trpcGet, POST as trpcPost } from "@/app/api/trpc/[trpc]/route";
import { GET as rest } from "./route";
import { createApiToken } from "@/server/auth/tokens";
import { closeDatabaseClients, getPrisma } from "@/server/db/client";
import { createMember, type TTestMember } from "@/server/testing/callers";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { serveRoute } from "@/server/testing/route-server";
import { startSmtpReceiver } from "@/server/testing/smtp-receiver";

/**
 * The account layer over the REST API, driven over real HTTP the way an owner's script would:
 * members, invitations, tokens and settings, with the same rules the Settings page keeps.
 * The invitee's side (the link, sign-in, the first token) goes through the pages' own doors.
 */

const ADMIN_TOKEN = "accounts-admin-token-0123456789abcdef";
const INVITEE = { name: "Ivar Invitee", email: "ivar@example.test", password: "a long invitee password, 2026" };

let db: TestDatabase;
let dataDir: string;
let prisma: PrismaClient;
let owner: TTestMember;
let ownerToken: string;
let app: Awaited<ReturnType<typeof serveRoute>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;

function routes(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith("/api/trpc/")) return request.method === "GET" ? trpcGet(request) : trpcPost(request);
  if (pathname.startsWith("/api/auth/")) return authPost(request);
  return rest(request);
}

interface Answer<T> {
  status: number;
  body: T;
}

async function api<T = unknown>(token: string, method: string, route: string, body?: unknown): Promise<Answer<T>> {
  const response = await fetch(`${app.url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A tRPC mutation as the app's pages send it (superjson, same Origin, the session cookie). */
async function trpc<T>(procedure: string, input: unknown, cookie?: string): Promise<Answer<{ result?: { data: { json: T } }; error?: { json: { message: string; data: { code: string } } } }>> {
  const response = await fetch(`${app.url}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.url, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ json: input }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

async function signIn(email: string, password: string): Promise<string> {
  const response = await fetch(`${app.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.url },
    body: JSON.stringify({ email, password }),
  });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("sluice.session_token="));
  if (!cookie) throw new Error(`signing in ${email} failed: HTTP ${response.status} ${await response.text()}`);
  return cookie.split(";")[0]!;
}

type TError = { error: { code: string; message: string } };

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "sluice-accounts-"));
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    SLUICE_DATA_DIR: dataDir,
    SLUICE_API_TOKEN: ADMIN_TOKEN,
    SLUICE_AUTH_SECRET: "accounts-test-secret-of-at-least-32-characters",
  });
  prisma = getPrisma();
  app = await serveRoute(routes);
  // Sign-in accepts requests from the loopback origin on PORT only; this server's port is chosen at random.
  process.env.PORT = new URL(app.url).port;
  smtp = await startSmtpReceiver({ authOptional: true, disabledCommands: ["STARTTLS"] });
  const workspace = await prisma.workspace.create({ data: { name: "Accounts" } });
  owner = await createMember(prisma, workspace.id, "owner", "Olga Owner");
  ownerToken = (await createApiToken({ prisma, workspaceId: workspace.id, userId: owner.id, role: "owner", actor: "Olga Owner" }, { name: "owner script" })).token;
});

afterAll(async () => {
  await smtp?.close();
  await app?.close();
  await closeDatabaseClients();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("the account layer over REST", () => {
  it("invites by email, changes the joined member's role, keeps their token below it, and locks them out at once on removal", async () => {
    const connection = await api<{ id: string }>(ownerToken, "POST", "/connections", {
      name: "office mail",
      type: "smtp",
      config: { host: "127.0.0.1", port: smtp.port, security: "none", from: "Sluice <sluice@example.com>" },
    });
    expect(connection.status).toBe(201);

    const invited = await api<{ id: string; url: string; role: string; emailedTo: string | null; emailError: string | null }>(ownerToken, "POST", "/invitations", {
      role: "editor",
      email: INVITEE.email,
      connectionId: connection.body.id,
    });
    expect(invited).toMatchObject({ status: 201, body: { role: "editor", emailedTo: INVITEE.email, emailError: null } });
    expect(smtp.mails.at(-1)?.text).toContain(invited.body.url);
    const secret = invited.body.url.split("/invite/")[1]!;
    // Shown once: the database keeps the hash, and the list never shows the link again.
    const row = await prisma.invitation.findUniqueOrThrow({ where: { id: invited.body.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(secret);
    const open = await api<{ id: string }[]>(ownerToken, "GET", "/invitations");
    expect(open.body.map((i) => i.id)).toEqual([invited.body.id]);
    expect(JSON.stringify(open.body)).not.toContain(secret);

    const accepted = await trpc("invitations.acceptAsNewUser", { secret, account: INVITEE });
    expect(accepted.status).toBe(200);
    const cookie = await signIn(INVITEE.email, INVITEE.password);
    const members = await api<{ id: string; email: string; role: string }[]>(ownerToken, "GET", "/members");
    const invitee = members.body.find((m) => m.email === INVITEE.email)!;
    expect(invitee.role).toBe("editor");
    expect((await api(ownerToken, "GET", "/invitations")).body).toEqual([]);

    // An editor manages no tokens; made owner, they create their first under Settings, then script the rest.
    expect((await trpc("tokens.create", { name: "laptop" }, cookie)).body.error?.json.data.code).toBe("FORBIDDEN");
    expect(await api(ownerToken, "PATCH", `/members/${invitee.id}`, { role: "owner" })).toEqual({ status: 200, body: { userId: invitee.id, role: "owner" } });
    const first = await trpc<{ token: string }>("tokens.create", { name: "laptop", role: "owner" }, cookie);
    const inviteeToken = first.body.result!.data.json.token;
    const scripted = await api<{ id: string; token: string; role: string; user: { email: string } }>(inviteeToken, "POST", "/tokens", { name: "nightly", role: "editor", expiresInDays: 30 });
    expect(scripted).toMatchObject({ status: 201, body: { role: "editor", user: { email: INVITEE.email } } });
    const stored = await prisma.apiToken.findUniqueOrThrow({ where: { id: scripted.body.id } });
    expect(stored.tokenHash).toBe(createHash("sha256").update(scripted.body.token).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(scripted.body.token);
    const listed = await api<{ id: string }[]>(ownerToken, "GET", "/tokens");
    expect(listed.body.map((t) => t.id)).toContain(scripted.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(scripted.body.token);

    // Stepped down to editor, their owner token acts as an editor: it cannot mint an owner token any more.
    expect((await api(ownerToken, "PATCH", `/members/${invitee.id}`, { role: "editor" })).status).toBe(200);
    expect((await api<{ role: string }>(inviteeToken, "GET", "/me")).body).toMatchObject({ userId: invitee.id, role: "editor" });
    const tooHigh = await api<TError>(inviteeToken, "POST", "/tokens", { name: "escalate", role: "owner" });
    expect(tooHigh.status).toBe(403);
    expect(tooHigh.body.error).toMatchObject({ code: "forbidden", message: expect.stringContaining("needs the owner role") });
    expect(await prisma.apiToken.count({ where: { name: "escalate" } })).toBe(0);

    // The last owner can neither step down nor be removed.
    const demoteSelf = await api<TError>(ownerToken, "PATCH", `/members/${owner.id}`, { role: "editor" });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body.error).toMatchObject({ code: "conflict", message: expect.stringContaining("needs an owner") });
    expect((await api<TError>(ownerToken, "DELETE", `/members/${owner.id}`)).status).toBe(409);

    expect((await api(inviteeToken, "GET", "/alert-rules")).status).toBe(200);
    expect((await api(ownerToken, "DELETE", `/members/${invitee.id}`)).status).toBe(204);
    for (const token of [inviteeToken, scripted.body.token]) {
      const refused = await api<TError>(token, "GET", "/alert-rules");
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe("unauthorized");
    }
    const me = await fetch(`${app.url}/api/trpc/account.me`, { headers: { cookie } });
    expect(me.status).toBe(401);
    expect((await api<{ email: string }[]>(ownerToken, "GET", "/members")).body.map((m) => m.email)).toEqual([owner.email]);
    expect((await api(ownerToken, "DELETE", `/members/${invitee.id}`)).status).toBe(404);

    const audit = await api<{ events: { action: string; actor: string; target: string | null }[] }>(ownerToken, "GET", "/audit?action=member");
    expect(audit.body.events.map((e) => e.action).reverse()).toEqual(["member.invited", "member.joined", "member.role-changed", "member.role-changed", "member.removed"]);
    expect(audit.body.events.find((e) => e.action === "member.removed")).toMatchObject({ target: invitee.id, actor: expect.stringContaining('via token "owner script"') });
    const tokenEvents = await api<{ events: { action: string; actor: string }[] }>(ownerToken, "GET", "/audit?action=token.created&actor=ivar");
    expect(tokenEvents.body.events.map((e) => e.actor)).toEqual(['Ivar Invitee <ivar@example.test> via token "laptop"', "Ivar Invitee <ivar@example.test>"]);
  });

  it("revokes invitation links and tokens, which stop working at once", async () => {
    const link = await api<{ id: string; url: string; emailedTo: string | null }>(ownerToken, "POST", "/invitations", { role: "viewer", days: 2 });
    expect(link).toMatchObject({ status: 201, body: { emailedTo: null } });
    expect((await api(ownerToken, "DELETE", `/invitations/${link.body.id}`)).status).toBe(204);
    expect((await api(ownerToken, "DELETE", `/invitations/${link.body.id}`)).status).toBe(404);
    const secret = link.body.url.split("/invite/")[1]!;
    const late = await trpc("invitations.acceptAsNewUser", { secret, account: { name: "Late", email: "late@example.test", password: "another long password here" } });
    expect(late.body.error?.json.message).toContain("not valid");

    const made = await api<{ id: string; token: string }>(ownerToken, "POST", "/tokens", { name: "to revoke", role: "viewer" });
    expect((await api(made.body.token, "GET", "/settings")).status).toBe(200);
    expect((await api(ownerToken, "DELETE", `/tokens/${made.body.id}`)).status).toBe(204);
    expect((await api(made.body.token, "GET", "/settings")).status).toBe(401);
    const listed = await api<{ id: string; revokedAt: string | null }[]>(ownerToken, "GET", "/tokens");
    expect(listed.body.find((t) => t.id === made.body.id)?.revokedAt).toEqual(expect.any(String));
  });

  it("creates workspaces and lists them, each token still acting in its own workspace only", async () => {
    const viewer = await createMember(prisma, owner.workspaceId, "viewer", "Vera Viewer");
    const viewerToken = (await createApiToken({ prisma, workspaceId: viewer.workspaceId, userId: viewer.id, role: "viewer", actor: "Vera Viewer" }, { name: "viewer script" })).token;
    expect((await api<TError>(viewerToken, "POST", "/workspaces", { name: "  " })).status).toBe(400);

    const made = await api<{ id: string; name: string; role: string; token: { token: string; expiresAt: string | null } | null }>(viewerToken, "POST", "/workspaces", {
      name: "Vera's own",
      token: { name: "first script", expiresInDays: 30 },
    });
    expect(made).toMatchObject({ status: 201, body: { name: "Vera's own", role: "owner", token: { expiresAt: expect.any(String) } } });
    const listed = await api<{ id: string; name: string; role: string; current: boolean }[]>(viewerToken, "GET", "/workspaces");
    expect(listed.body).toEqual([
      { id: viewer.workspaceId, name: "Accounts", role: "viewer", current: true },
      { id: made.body.id, name: "Vera's own", role: "owner", current: false },
    ]);

    // The new token acts in the new workspace as its owner; the old one is still a viewer of the first.
    const fresh = made.body.token!.token;
    expect((await api<{ workspaceId: string; role: string }>(fresh, "GET", "/me")).body).toMatchObject({ workspaceId: made.body.id, role: "owner" });
    expect((await api<{ current: boolean; id: string }[]>(fresh, "GET", "/workspaces")).body.find((w) => w.current)?.id).toBe(made.body.id);
    expect((await api(fresh, "GET", "/members")).status).toBe(200);
    expect((await api(viewerToken, "GET", "/members")).status).toBe(403);
    expect((await api<{ name: string }>(viewerToken, "GET", "/settings")).body.name).toBe("Accounts");

    const bare = await api<{ token: unknown }>(ownerToken, "POST", "/workspaces", { name: "Olga's second" });
    expect(bare).toMatchObject({ status: 201, body: { token: null } });
    const audit = await api<{ events: { action: string; actor: string }[] }>(fresh, "GET", "/audit?action=workspace");
    expect(audit.body.events).toEqual([expect.objectContaining({ action: "workspace.created", actor: expect.stringContaining("Vera Viewer") })]);
  });

  it("refuses a token from SLUICE_API_TOKEN, which acts for no user", async () => {
    const refused = await api<TError>(ADMIN_TOKEN, "POST", "/tokens", { name: "orphan" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("acts for no user");
    expect((await api<{ userId: string | null; workspaces: unknown[] }>(ADMIN_TOKEN, "GET", "/me")).body).toMatchObject({ userId: null, role: "owner", workspaces: [] });
    expect((await api<TError>(ADMIN_TOKEN, "POST", "/workspaces", { name: "Nobody's" })).status).toBe(403);
    expect((await api<{ current: boolean; role: string }[]>(ADMIN_TOKEN, "GET", "/workspaces")).body).toEqual([expect.objectContaining({ current: true, role: "owner" })]);
  });

  it("reads and sets the retention, refusing values out of range", async () => {
    expect((await api<{ name: string; retentionDays: number }>(ownerToken, "GET", "/settings")).body).toEqual({ name: "Accounts", retentionDays: 30 });
    const wrong = await api<TError>(ownerToken, "PUT", "/settings/retention", { days: 0 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: "invalid_request", message: expect.stringContaining("at least one day") });
    expect(await api(ownerToken, "PUT", "/settings/retention", { days: 45 })).toEqual({ status: 200, body: { retentionDays: 45 } });
    expect((await api<{ retentionDays: number }>(ownerToken, "GET", "/settings")).body.retentionDays).toBe(45);
    const audit = await api<{ events: { action: string; details: unknown }[] }>(ownerToken, "GET", "/audit?action=settings");
    expect(audit.body.events[0]).toMatchObject({ action: "settings.retention-changed", details: { days: 45 } });
  });
});
