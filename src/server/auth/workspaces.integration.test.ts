import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { appRouter } from "../api/root";
import { closeDatabaseClients, getPrisma } from "../db/client";
import { contextFor, createMember, sessionCookieFor, type TTestMember } from "../testing/callers";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { defaultWorkspaceId } from "../workspace";
import { authenticateBearer } from "./bearer";
import { callerFromSession } from "./caller";

let db: TestDatabase;
let prisma: PrismaClient;
let workspaceId: string;
let owner: TTestMember;
const as = (member: TTestMember | null) => appRouter.createCaller(contextFor(member, prisma));
const bearer = (token: string) => authenticateBearer(prisma, `Bearer ${token}`, { defaultWorkspaceId: () => defaultWorkspaceId(prisma) });

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_AUTH_SECRET = "integration-test-secret-of-at-least-32-characters";
  prisma = getPrisma();
  workspaceId = await defaultWorkspaceId(prisma);
  owner = await createMember(prisma, workspaceId, "owner", "Olga Owner");
});

afterAll(async () => {
  await closeDatabaseClients();
  await db.drop();
});

describe("invitation links", () => {
  it("make a new person a member with the link's role, once", async () => {
    const { url } = await as(owner).members.invite({ role: "viewer" });
    const secret = url.split("/invite/")[1]!;
    expect(await as(null).invitations.preview({ secret })).toEqual({ workspaceName: "Default workspace", role: "viewer", invitedBy: "Olga Owner" });
    await as(null).invitations.acceptAsNewUser({ secret, account: { name: "Vic Viewer", email: "vic@example.test", password: "vic's long password" } });
    const vic = await prisma.user.findUniqueOrThrow({ where: { email: "vic@example.test" } });
    expect(await prisma.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId: vic.id } } })).toMatchObject({ role: "viewer" });

    await expect(as(null).invitations.acceptAsNewUser({ secret, account: { name: "Late", email: "late@example.test", password: "a long late password" } })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await prisma.user.findUnique({ where: { email: "late@example.test" } })).toBeNull();
    expect(await as(null).invitations.preview({ secret })).toBeNull();
  });

  it("let someone already signed up join another workspace and switch between both", async () => {
    const other = await as(owner).account.createWorkspace({ name: "Second team" });
    const elsewhere = await createMember(prisma, other.id, "owner", "Wanda Elsewhere");
    const { url } = await as(owner).members.invite({ role: "editor" });
    const cookie = await sessionCookieFor(elsewhere);
    const session = (await callerFromSession(prisma, new Headers({ cookie })))!;
    expect(session.workspaceId).toBe(other.id);

    await appRouter.createCaller({ ...contextFor(elsewhere, prisma), sessionId: session.sessionId }).invitations.accept({ secret: url.split("/invite/")[1]! });
    expect(await callerFromSession(prisma, new Headers({ cookie }))).toMatchObject({ workspaceId, role: "editor" });
    const me = await appRouter.createCaller({ ...contextFor(elsewhere, prisma), sessionId: session.sessionId }).account.me();
    expect(me.workspaces.map((w) => [w.name, w.role])).toEqual([["Second team", "owner"], ["Default workspace", "editor"]]);

    await appRouter.createCaller({ ...contextFor(elsewhere, prisma), sessionId: session.sessionId }).account.switchWorkspace({ workspaceId: other.id });
    expect(await callerFromSession(prisma, new Headers({ cookie }))).toMatchObject({ workspaceId: other.id, role: "owner" });
    // Only into workspaces one belongs to: another id answers like one that does not exist.
    const stranger = await createMember(prisma, (await prisma.workspace.create({ data: { name: "Closed" } })).id, "owner");
    await expect(appRouter.createCaller({ ...contextFor(stranger, prisma), sessionId: "x" }).account.switchWorkspace({ workspaceId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("members", () => {
  it("removed lose their sessions and tokens at once", async () => {
    const editor = await createMember(prisma, workspaceId, "editor", "Ed Gone");
    const cookie = await sessionCookieFor(editor);
    const { token } = await appRouter.createCaller({ ...contextFor(owner, prisma) }).tokens.create({ name: "owner's", role: "viewer" });
    expect(await bearer(token)).toMatchObject({ ok: true, role: "viewer" });
    const editorToken = await prisma.apiToken.create({ data: { workspaceId, userId: editor.id, role: "editor", name: "ed", prefix: "slc_ed", tokenHash: "e".repeat(64) } });

    await as(owner).members.remove({ userId: editor.id });
    expect(await callerFromSession(prisma, new Headers({ cookie }))).toBeNull();
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { id: editorToken.id } })).revokedAt).not.toBeNull();
    expect(await prisma.auditEvent.findFirst({ where: { action: "member.removed" } })).toMatchObject({ actor: "Olga Owner <olga.owner@example.test>", target: editor.id });
  });

  it("act with at most their current role through their tokens", async () => {
    const demoted = await createMember(prisma, workspaceId, "owner", "Deb Demoted");
    const { token } = await as(demoted).tokens.create({ name: "deb's", role: "owner" });
    await as(owner).members.setRole({ userId: demoted.id, role: "viewer" });
    expect(await bearer(token)).toMatchObject({ ok: true, role: "viewer" });
    await expect(as({ ...demoted, role: "editor" }).tokens.create({ name: "x", role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("keep an owner: the last one can neither leave nor step down", async () => {
    const alone = await as(owner).account.createWorkspace({ name: "Solo" });
    const solo = { ...owner, workspaceId: alone.id };
    await expect(as(solo).members.setRole({ userId: owner.id, role: "editor" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(as(solo).members.remove({ userId: owner.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("of another workspace are invisible: removing or re-roling them answers not found", async () => {
    const outsider = await createMember(prisma, (await prisma.workspace.create({ data: { name: "Elsewhere" } })).id, "viewer");
    await expect(as(owner).members.remove({ userId: outsider.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(as(owner).members.setRole({ userId: outsider.id, role: "owner" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
