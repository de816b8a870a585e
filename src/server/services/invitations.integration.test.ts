import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { getPrisma } from "../db/client";
import { callerFor } from "../testing/callers";
import { startSmtpReceiver } from "../testing/smtp-receiver";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let smtpPort: number;

beforeAll(async () => {
  env = await createEngineEnvironment({ SLUICE_PUBLIC_URL: "https://sluice.example.com" });
  smtp = await startSmtpReceiver({ authOptional: true, disabledCommands: ["STARTTLS"] });
  smtpPort = smtp.port;
});

afterAll(async () => {
  await smtp?.close();
  await env?.close();
});

let connections = 0;

async function ownerWithSmtp(port: number) {
  const { caller } = await callerFor("owner", { name: `Ingrid Owner ${++connections}` });
  const { id } = await caller.connections.create({ name: `office mail ${connections}`, type: "smtp", config: { host: "127.0.0.1", port, security: "none", from: "Sluice <sluice@example.com>" } });
  return { caller, connectionId: id };
}

describe("invitations by email", () => {
  it("mail the one-time link, with the role and who invites, through the chosen SMTP connection", async () => {
    const { caller, connectionId } = await ownerWithSmtp(smtpPort);
    const invitation = await caller.members.invite({ role: "editor", email: "new.editor@example.com", connectionId });
    expect(invitation).toMatchObject({ role: "editor", emailedTo: "new.editor@example.com", emailError: null });
    expect(invitation.url).toMatch(/^https:\/\/sluice\.example\.com\/invite\/[\w-]{32}$/);
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toMatchObject({ text: "new.editor@example.com" });
    expect(mail.subject).toMatch(/^Ingrid Owner \d+ <.+> invites you to /);
    expect(mail.text).toContain(invitation.url);
    expect(mail.text).toContain("as editor");
    const preview = await (await callerFor(null)).caller.invitations.preview({ secret: invitation.url.split("/").at(-1)! });
    expect(preview).toMatchObject({ role: "editor" });
  });

  it("keep the link and say why when the mail cannot be sent", async () => {
    const closed = await startSmtpReceiver();
    const deadPort = closed.port;
    await closed.close();
    const { caller, connectionId } = await ownerWithSmtp(deadPort);
    const invitation = await caller.members.invite({ role: "viewer", email: "someone@example.com", connectionId });
    expect(invitation.emailedTo).toBeNull();
    expect(invitation.emailError).toMatch(/^The mail through "office mail \d+" was not sent: .*refused/i);
    expect(invitation.url).toContain("/invite/");
    expect((await caller.members.invitations()).map((i) => i.id)).toContain(invitation.id);
  });

  it("refuse an email without a connection, and another workspace's connection, before making a link", async () => {
    const { caller } = await callerFor("owner", { name: "Olav Owner" });
    const before = (await caller.members.invitations()).length;
    await expect(caller.members.invite({ role: "viewer", email: "x@example.com" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const { connectionId: foreign } = await ownerWithSmtp(smtpPort);
    const other = await getPrisma().workspace.create({ data: { name: "Elsewhere" } });
    const outsider = await callerFor("owner", { workspaceId: other.id });
    await expect(outsider.caller.members.invite({ role: "viewer", email: "x@example.com", connectionId: foreign })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await outsider.caller.members.invitations()).length).toBe(0);
    expect((await caller.members.invitations()).length).toBe(before);
  });
});
