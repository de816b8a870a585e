import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ParsedMail } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { handleApiRequest } from "../rest/api";
import { createApiToken } from "../auth/tokens";
import { callerFor, createMember } from "../testing/callers";
import { startHttpReceiver } from "../testing/http-receiver";
import { startSmtpReceiver } from "../testing/smtp-receiver";

const PASSWORD = "s3cret-smtp-password-7f2a";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let smtpPort: number;
let certificate: string;
let mails: ParsedMail[] = [];

/** A self-signed certificate for 127.0.0.1, so STARTTLS is real and trusting it is a setting (`ca`). */
function selfSignedCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-smtp-tls-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
  ], { stdio: "ignore" });
  return { key: readFileSync(path.join(dir, "key.pem"), "utf8"), cert: readFileSync(path.join(dir, "cert.pem"), "utf8") };
}

beforeAll(async () => {
  env = await createEngineEnvironment({ SLUICE_PUBLIC_URL: "https://sluice.example.com" });
  const tls = selfSignedCertificate();
  certificate = tls.cert;
  smtp = await startSmtpReceiver({
    key: tls.key,
    cert: tls.cert,
    onAuth(auth, _session, callback) {
      if (auth.username === "alerts" && auth.password === PASSWORD) callback(null, { user: "alerts" });
      else callback(new Error("Invalid username or password"));
    },
  });
  smtpPort = smtp.port;
  mails = smtp.mails;
});

afterAll(async () => {
  await smtp?.close();
  await env?.close();
});

const smtpConfig = () => ({ host: "127.0.0.1", port: smtpPort, security: "starttls" as const, username: "alerts", from: "Sluice <sluice@example.com>", ca: certificate });

describe("SMTP connections", () => {
  it("keep the password write-only and connect, upgrade to TLS and sign in when tested", async () => {
    const { caller } = await callerFor("owner");
    const { id } = await caller.connections.create({ name: "mail", type: "smtp", config: smtpConfig(), secrets: { password: PASSWORD } });
    const listed = await caller.connections.list();
    expect(listed).toEqual([expect.objectContaining({ id, name: "mail", type: "smtp", secretsSet: ["password"] })]);
    expect(JSON.stringify(listed)).not.toContain(PASSWORD);
    const stored = await env.db.pool.query<{ secrets: string }>("SELECT secrets FROM connections WHERE id = $1", [id]);
    expect(stored.rows[0]!.secrets).not.toContain(PASSWORD);
    expect(await caller.connections.test({ id })).toEqual({ ok: true, message: `Connected to 127.0.0.1:${smtpPort} over TLS and signed in as "alerts"` });
  });

  it("say which step failed, DNS, refused, TLS or authentication, without the password", async () => {
    const { caller } = await callerFor("owner");
    const outcome = async (name: string, config: Record<string, unknown>, password = PASSWORD) => {
      const { id } = await caller.connections.create({ name, type: "smtp", config: { ...smtpConfig(), ...config } as ReturnType<typeof smtpConfig>, secrets: { password } });
      return caller.connections.test({ id });
    };
    const closed = await startHttpReceiver();
    const closedPort = Number(new URL(closed.url).port);
    await closed.close();

    const dns = await outcome("dns", { host: "no-such-host.invalid" });
    expect(dns.ok).toBe(false);
    expect(dns.message).toMatch(/^DNS: the host name "no-such-host.invalid" does not resolve/);
    const refused = await outcome("refused", { port: closedPort });
    expect(refused).toEqual({ ok: false, message: `Connection refused: nothing accepts connections on 127.0.0.1:${closedPort}` });
    const untrusted = await outcome("untrusted", { ca: undefined });
    expect(untrusted.ok).toBe(false);
    expect(untrusted.message).toMatch(/^TLS: .*self.signed/i);
    const wrong = await outcome("wrong password", {}, "not-the-password");
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toMatch(/^Authentication failed for user "alerts": .*Invalid username or password/);
    for (const result of [dns, refused, untrusted, wrong]) {
      expect(result.message).not.toContain(PASSWORD);
      expect(result.message).not.toContain("not-the-password");
    }
  });

  it("are created and tested over REST, and another workspace's owner gets 404", async () => {
    const { member } = await callerFor("owner");
    const { token } = await createApiToken({ prisma: env.ctx.prisma, workspaceId: member!.workspaceId, userId: member!.id, role: "owner" }, { name: "rest" });
    const api = (method: string, p: string, body?: unknown, bearer = token) =>
      handleApiRequest(new Request(`http://localhost:3000/api/v1${p}`, { method, headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }));
    const created = await api("POST", "/connections", { name: "rest mail", type: "smtp", config: smtpConfig(), secrets: { password: PASSWORD } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(await (await api("POST", `/connections/${id}/test`)).json()).toMatchObject({ ok: true });
    expect(await (await api("GET", "/connections")).text()).not.toContain(PASSWORD);

    const elsewhere = await env.ctx.prisma.workspace.create({ data: { name: "Elsewhere" } });
    const outsider = await createMember(env.ctx.prisma, elsewhere.id, "owner");
    const outsiderToken = (await createApiToken({ prisma: env.ctx.prisma, workspaceId: elsewhere.id, userId: outsider.id, role: "owner" }, { name: "outsider" })).token;
    expect((await api("POST", `/connections/${id}/test`, undefined, outsiderToken)).status).toBe(404);
    expect((await api("DELETE", `/connections/${id}`, undefined, outsiderToken)).status).toBe(404);
    const channel = await api("POST", "/alert-channels", { type: "email", name: "ops mail", config: { to: ["ops@example.com"], connectionId: id } });
    expect(channel.status).toBe(201);
    const channelId = ((await channel.json()) as { id: string }).id;
    expect((await api("POST", `/alert-channels/${channelId}/test`, undefined, outsiderToken)).status).toBe(404);
    expect((await api("DELETE", `/alert-channels/${channelId}`, undefined, outsiderToken)).status).toBe(404);
    expect((await api("DELETE", `/connections/${id}`)).status).toBe(409);
    expect((await api("DELETE", `/alert-channels/${channelId}`)).status).toBe(204);
    expect((await api("DELETE", `/connections/${id}`)).status).toBe(204);
  });
});

describe("alert channels", () => {
  it("email: a test message arrives over STARTTLS at the SMTP server, to the channel's addresses", async () => {
    const { caller } = await callerFor("owner");
    const { id: connectionId } = await caller.connections.create({ name: "channel mail", type: "smtp", config: smtpConfig(), secrets: { password: PASSWORD } });
    const { id } = await caller.alerts.createChannel({ type: "email", name: "on-call", config: { to: ["oncall@example.com", "lead@example.com"], connectionId } });
    const before = mails.length;
    const result = await caller.alerts.testChannel({ id });
    expect(result).toMatchObject({ ok: true, message: 'Sent a test message to "on-call"' });
    const mail = mails[before]!;
    expect(mail.subject).toBe('[Sluice] Test message for the channel "on-call"');
    expect(mail.from?.text).toBe('"Sluice" <sluice@example.com>');
    expect((Array.isArray(mail.to) ? mail.to : [mail.to]).map((a) => a?.text).join(", ")).toBe("oncall@example.com, lead@example.com");
    expect(mail.text).toContain("https://sluice.example.com");
    const [entry] = await caller.alerts.history({ channelId: id });
    expect(entry).toMatchObject({ event: "test", status: "sent", attempts: 1, lastError: null });
  });

  it("email needs an SMTP connection, and one is picked when the workspace has exactly one", async () => {
    const workspace = await env.ctx.prisma.workspace.create({ data: { name: "Mail-less" } });
    const { caller } = await callerFor("owner", { workspaceId: workspace.id });
    await expect(caller.alerts.createChannel({ type: "email", name: "x", config: { to: ["a@example.com"] } })).rejects.toThrow(/SMTP connection: add one first/);
    const { id: connectionId } = await caller.connections.create({ name: "only", type: "smtp", config: smtpConfig(), secrets: { password: PASSWORD } });
    const { id } = await caller.alerts.createChannel({ type: "email", name: "x", config: { to: ["a@example.com"] } });
    expect((await caller.alerts.channels()).find((c) => c.id === id)?.config).toEqual({ to: ["a@example.com"], connectionId });
    await expect(caller.alerts.createChannel({ type: "email", name: "y", config: { to: ["not an address"] } })).rejects.toThrow(/config\.to\.0/);
  });

  it("slack: posts { text } with the links in Slack's mrkdwn; the URL is kept secret", async () => {
    const slack = await startHttpReceiver();
    try {
      const { caller } = await callerFor("owner");
      const url = `${slack.url}/services/T000/B000/XXXXXXXXXXXXXXXX`;
      const { id } = await caller.alerts.createChannel({ type: "slack", name: "slack", config: { url } });
      const listed = (await caller.alerts.channels()).find((c) => c.id === id)!;
      expect(JSON.stringify(listed)).not.toContain("XXXXXXXXXXXXXXXX");
      expect(await caller.alerts.testChannel({ id })).toMatchObject({ ok: true });
      expect(slack.received).toHaveLength(1);
      expect(slack.received[0]!.path).toBe("/services/T000/B000/XXXXXXXXXXXXXXXX");
      const body = JSON.parse(slack.received[0]!.body) as { text: string };
      expect(body.text).toMatch(/^\*\[Sluice\] Test message for the channel "slack"\*/);
    } finally {
      await slack.close();
    }
  });

  it("webhook: posts the message as JSON signed with Sluice-Signature, whose secret is shown once", async () => {
    const hook = await startHttpReceiver();
    try {
      const { caller } = await callerFor("owner");
      const created = await caller.alerts.createChannel({ type: "webhook", name: "hook", config: { url: `${hook.url}/alerts` } });
      expect(created.secret).toMatch(/^whsec_/);
      expect(JSON.stringify(await caller.alerts.channels())).not.toContain(created.secret);
      expect(await caller.alerts.testChannel({ id: created.id })).toMatchObject({ ok: true });
      const request = hook.received[0]!;
      const [t, v1] = String(request.headers["sluice-signature"]).split(",").map((p) => p.split("=")[1]!);
      expect(v1).toBe(createHmac("sha256", created.secret!).update(`${t}.${request.body}`).digest("hex"));
      expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
      expect(JSON.parse(request.body)).toMatchObject({ event: "test", subject: '[Sluice] Test message for the channel "hook"' });
    } finally {
      await hook.close();
    }
  });

  it("are edited: renamed, pointed elsewhere, a webhook's secret rotated (shown once, the old one no longer signs); secrets stay write-only", async () => {
    const first = await startHttpReceiver();
    const second = await startHttpReceiver();
    try {
      const { caller } = await callerFor("owner");
      const created = await caller.alerts.createChannel({ type: "webhook", name: "edited hook", config: { url: `${first.url}/a` } });
      const renamed = await caller.alerts.updateChannel({ id: created.id, channel: { name: "renamed hook", config: { url: `${second.url}/b` } } });
      expect(renamed).toMatchObject({ id: created.id, name: "renamed hook", type: "webhook", config: { url: `${second.url}/b` } });
      expect(renamed).not.toHaveProperty("secret");

      const rotated = await caller.alerts.updateChannel({ id: created.id, channel: { rotateSecret: true } });
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(created.secret);
      expect(JSON.stringify(await caller.alerts.channels())).not.toContain(rotated.secret);
      expect(await caller.alerts.testChannel({ id: created.id })).toMatchObject({ ok: true });
      expect(first.received).toHaveLength(0);
      const request = second.received[0]!;
      expect(request.path).toBe("/b");
      const [t, v1] = String(request.headers["sluice-signature"]).split(",").map((p) => p.split("=")[1]!);
      expect(v1).toBe(createHmac("sha256", rotated.secret!).update(`${t}.${request.body}`).digest("hex"));
      expect(v1).not.toBe(createHmac("sha256", created.secret!).update(`${t}.${request.body}`).digest("hex"));

      const slackUrl = `${first.url}/services/T1/B1/NEWSECRETPATHXYZ`;
      const slack = await caller.alerts.createChannel({ type: "slack", name: "edited slack", config: { url: `${first.url}/services/T0/B0/OLDSECRETPATHXYZ` } });
      const moved = await caller.alerts.updateChannel({ id: slack.id, channel: { config: { url: slackUrl } } });
      expect(JSON.stringify(moved)).not.toContain("NEWSECRETPATHXYZ");
      expect(JSON.stringify(await caller.alerts.channels())).not.toContain("NEWSECRETPATHXYZ");
      expect(await caller.alerts.testChannel({ id: slack.id })).toMatchObject({ ok: true });
      expect(first.received.map((r) => r.path)).toEqual(["/services/T1/B1/NEWSECRETPATHXYZ"]);

      await expect(caller.alerts.updateChannel({ id: slack.id, channel: { rotateSecret: true } })).rejects.toThrow(/only webhook channels have a signing secret/);
      await expect(caller.alerts.updateChannel({ id: slack.id, channel: { name: "renamed hook" } })).rejects.toThrow(/already exists/);
      await expect(caller.alerts.updateChannel({ id: slack.id, channel: { config: { url: "ftp://example.com/x" } } })).rejects.toThrow(/config\.url/);
      const { caller: editor } = await callerFor("editor");
      await expect(editor.alerts.updateChannel({ id: slack.id, channel: { name: "nope" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("are edited over REST with PATCH; a rotated secret is in that answer only; another workspace's owner gets 404", async () => {
    const { member } = await callerFor("owner");
    const { token } = await createApiToken({ prisma: env.ctx.prisma, workspaceId: member!.workspaceId, userId: member!.id, role: "owner" }, { name: "rest edit" });
    const api = (method: string, p: string, body?: unknown, bearer = token) =>
      handleApiRequest(new Request(`http://localhost:3000/api/v1${p}`, { method, headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }));
    const created = (await (await api("POST", "/alert-channels", { type: "webhook", name: "rest edited", config: { url: "http://127.0.0.1:9/a" } })).json()) as { id: string; secret: string };
    const patched = await api("PATCH", `/alert-channels/${created.id}`, { rotateSecret: true, config: { url: "http://127.0.0.1:9/b" } });
    expect(patched.status).toBe(200);
    const body = (await patched.json()) as { config: { url: string }; secret: string };
    expect(body.config.url).toBe("http://127.0.0.1:9/b");
    expect(body.secret).toMatch(/^whsec_/);
    expect(await (await api("GET", "/alert-channels")).text()).not.toContain(body.secret);
    expect(await (await api("PATCH", `/alert-channels/${created.id}`, { config: { url: "not a url" } })).json()).toMatchObject({ error: { field: "config.url" } });

    const elsewhere = await env.ctx.prisma.workspace.create({ data: { name: "Edit elsewhere" } });
    const outsider = await createMember(env.ctx.prisma, elsewhere.id, "owner");
    const outsiderToken = (await createApiToken({ prisma: env.ctx.prisma, workspaceId: elsewhere.id, userId: outsider.id, role: "owner" }, { name: "outsider" })).token;
    expect((await api("PATCH", `/alert-channels/${created.id}`, { name: "taken" }, outsiderToken)).status).toBe(404);
  });

  it("a receiver answering 500 is reported with its status and body, and recorded as failed", async () => {
    const broken = await startHttpReceiver(() => ({ status: 500, body: "database is down" }));
    try {
      const { caller } = await callerFor("owner");
      const { id } = await caller.alerts.createChannel({ type: "webhook", name: "broken", config: { url: broken.url } });
      const result = await caller.alerts.testChannel({ id });
      expect(result).toMatchObject({ ok: false, message: `${new URL(broken.url).host} answered 500: database is down` });
      expect((await caller.alerts.history({ channelId: id }))[0]).toMatchObject({ status: "failed", attempts: 1, lastError: result.message });
    } finally {
      await broken.close();
    }
  });

  it("history pages by the last delivery's id: deliveries made in the same millisecond are neither skipped nor repeated", async () => {
    const { caller, member } = await callerFor("owner");
    const { id: channelId } = await caller.alerts.createChannel({ type: "webhook", name: "same millisecond", config: { url: "http://127.0.0.1:9/never-called" } });
    const at = new Date("2026-01-01T00:00:00.000Z");
    const made = await Promise.all(
      [1, 2, 3].map((n) =>
        env.ctx.prisma.alertDelivery.create({ data: { workspaceId: member!.workspaceId, channelId, event: "test", message: { subject: `test ${n}`, text: "" }, createdAt: at } }),
      ),
    );
    const first = await caller.alerts.history({ channelId, limit: 2 });
    const second = await caller.alerts.history({ channelId, limit: 2, cursor: first.at(-1)!.id });
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(1);
    expect([...first, ...second].map((e) => e.id).sort()).toEqual(made.map((d) => d.id).sort());
  });

  it("are changed by owners only; editors may send a test", async () => {
    const { caller: editor } = await callerFor("editor");
    await expect(editor.alerts.createChannel({ type: "slack", name: "nope", config: { url: "https://hooks.example.com/x" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(editor.connections.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("alert rules over REST", () => {
  it("are created, listed and deleted; bad settings are refused with the field; other workspaces get 404", async () => {
    const { member } = await callerFor("editor");
    const prisma = env.ctx.prisma;
    const { token } = await createApiToken({ prisma, workspaceId: member!.workspaceId, userId: member!.id, role: "editor" }, { name: "rules" });
    const api = (method: string, p: string, body?: unknown, bearer = token) =>
      handleApiRequest(new Request(`http://localhost:3000/api/v1${p}`, { method, headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }));
    const pipeline = await env.loadPipeline("rest_rules");
    const channel = await prisma.alertChannel.create({ data: { workspaceId: member!.workspaceId, name: "rest rules hook", type: "webhook", config: { url: "http://127.0.0.1/x" } } });

    const created = await api("POST", "/alert-rules", { pipelineId: pipeline.id, kind: "reject_rate", threshold: 5, channelIds: [channel.id] });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const listed = (await (await api("GET", `/alert-rules?pipelineId=${pipeline.id}`)).json()) as { id: string; description: string; channelIds: string[] }[];
    expect(listed.find((r) => r.id === id)).toMatchObject({ description: "Reject rate above 5%", channelIds: [channel.id] });
    const refused = await api("POST", "/alert-rules", { kind: "freshness", channelIds: [channel.id] });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { field: "threshold" } });
    expect((await api("GET", "/alerts/history?limit=5")).status).toBe(200);

    const elsewhere = await prisma.workspace.create({ data: { name: "Rules elsewhere" } });
    const outsider = await createMember(prisma, elsewhere.id, "owner");
    const outsiderToken = (await createApiToken({ prisma, workspaceId: elsewhere.id, userId: outsider.id, role: "owner" }, { name: "outsider" })).token;
    expect((await api("DELETE", `/alert-rules/${id}`, undefined, outsiderToken)).status).toBe(404);
    expect((await api("POST", "/alert-rules", { pipelineId: pipeline.id, kind: "run_failed", channelIds: [channel.id] }, outsiderToken)).status).toBe(404);
    expect(JSON.stringify(await (await api("GET", "/alert-rules", undefined, outsiderToken)).json())).not.toContain(id);
    expect(JSON.stringify(await (await api("GET", "/alert-channels", undefined, outsiderToken)).json())).not.toContain(channel.id);
    expect((await api("DELETE", `/alert-rules/${id}`)).status).toBe(204);
  });
});
