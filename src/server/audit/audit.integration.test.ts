import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { createApiToken } from "../auth/tokens";
import { closeDatabaseClients, getPrisma } from "../db/client";
import { handleApiRequest } from "../rest/api";
import { contextFor, createMember, type TTestMember } from "../testing/callers";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { appRouter } from "../api/root";
import { recordAudit, recordAuthEvent } from "./record";

let db: TestDatabase;
let prisma: PrismaClient;
let owner: TTestMember;
let tokens: { owner: string; editor: string; outsider: string };

const api = (p: string, bearer: string) => handleApiRequest(new Request(`http://localhost:3000/api/v1${p}`, { headers: { authorization: `Bearer ${bearer}` } }));

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_AUTH_SECRET = "integration-test-secret-of-at-least-32-characters";
  prisma = getPrisma();
  const home = (await prisma.workspace.create({ data: { name: "Home" } })).id;
  const elsewhere = (await prisma.workspace.create({ data: { name: "Elsewhere" } })).id;
  owner = await createMember(prisma, home, "owner", "Olive Owner");
  const editor = await createMember(prisma, home, "editor", "Ed Editor");
  const outsider = await createMember(prisma, elsewhere, "owner", "Otto Outsider");
  tokens = {
    owner: (await createApiToken({ prisma, workspaceId: home, userId: owner.id, role: "owner" }, { name: "owner" })).token,
    editor: (await createApiToken({ prisma, workspaceId: home, userId: editor.id, role: "editor" }, { name: "editor" })).token,
    outsider: (await createApiToken({ prisma, workspaceId: elsewhere, userId: outsider.id, role: "owner" }, { name: "outsider" })).token,
  };
  const as = (member: TTestMember) => ({ prisma, workspaceId: member.workspaceId, actor: `${member.name} <${member.email}>`, userId: member.id });
  await recordAudit(as(owner), { action: "pipeline.saved", target: "p-1", details: { version: 2 } });
  await recordAudit(as(editor), { action: "run.started", target: "=HYPERLINK(\"http://evil\")" });
  await recordAuthEvent(prisma, { action: "sign-in.failed", email: editor.email, address: "10.0.0.7" });
  await recordAudit(as(outsider), { action: "pipeline.saved", target: "outsider-pipeline" });
  await prisma.auditEvent.updateMany({ where: { target: "p-1" }, data: { at: new Date("2026-01-01T00:00:00Z") } });
});

afterAll(async () => {
  await closeDatabaseClients();
  await db.drop();
});

describe("the audit log", () => {
  it("is listed over REST with filters and pages, with members' sign-ins", async () => {
    const all = (await (await api("/audit", tokens.owner)).json()) as { events: { action: string; actor: string; target: string | null }[]; nextCursor: string | null };
    expect(all.events.map((e) => e.action)).toEqual(expect.arrayContaining(["pipeline.saved", "run.started", "sign-in.failed"]));
    expect(JSON.stringify(all)).not.toContain("outsider-pipeline");

    const signIns = (await (await api("/audit?action=sign-in", tokens.owner)).json()) as typeof all;
    expect(signIns.events).toMatchObject([{ action: "sign-in.failed", actor: expect.stringContaining("Ed Editor") as string }]);
    const byActor = (await (await api("/audit?actor=olive", tokens.owner)).json()) as typeof all;
    expect(byActor.events.map((e) => e.action)).toContain("pipeline.saved");
    expect(byActor.events.every((e) => e.actor.includes("Olive Owner"))).toBe(true);
    const recent = (await (await api("/audit?from=2026-06-01T00:00:00Z", tokens.owner)).json()) as typeof all;
    expect(recent.events.some((e) => e.target === "p-1")).toBe(false);
    const old = (await (await api("/audit?to=2026-06-01T00:00:00Z", tokens.owner)).json()) as typeof all;
    expect(old.events.map((e) => e.target)).toEqual(["p-1"]);

    const paged: typeof all.events = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = (await (await api(`/audit?limit=2${cursor ? `&before=${cursor}` : ""}`, tokens.owner)).json()) as typeof all;
      expect(page.events.length).toBeLessThanOrEqual(2);
      paged.push(...page.events);
      cursor = page.nextCursor;
    }
    expect(paged).toEqual(all.events);
  });

  it("is exported as spreadsheet-safe CSV with the same filters", async () => {
    const response = await api("/audit.csv?action=run.", tokens.owner);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const lines = (await response.text()).trimEnd().split("\n");
    expect(lines[0]).toBe("id,at,actor,action,target,details,ip_address");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it("is refused to an editor and shows another workspace's owner nothing of this one", async () => {
    expect((await api("/audit", tokens.editor)).status).toBe(403);
    expect((await api("/audit.csv", tokens.editor)).status).toBe(403);
    const theirs = await (await api("/audit", tokens.outsider)).text();
    expect(theirs).toContain("outsider-pipeline");
    expect(theirs).not.toMatch(/p-1|run\.started|sign-in/);
    expect(await (await api("/audit.csv", tokens.outsider)).text()).not.toContain("HYPERLINK");
  });

  it("is listed by the owner's tRPC procedure", async () => {
    const page = await appRouter.createCaller(contextFor(owner, prisma)).workspace.audit({ action: "pipeline." });
    expect(page.events.map((e) => e.target)).toEqual(["p-1"]);
  });
});
