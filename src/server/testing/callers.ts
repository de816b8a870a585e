import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@/generated/prisma/client";
import { appRouter } from "../api/root";
import { actorName } from "../auth/caller";
import type { TRole } from "../auth/roles";
import type { TUncheckedContext } from "../context";
import { getPool, getPrisma } from "../db/client";
import { defaultWorkspaceId } from "../workspace";

/**
 * Contexts and tRPC callers for integration tests, as a signed-in member with a given role
 * would have them. `callerFor` makes a real user and membership; `testContext` is the cheap
 * form for tests that only need a workspace and a role (its user exists nowhere).
 */

export interface TTestMember {
  id: string;
  name: string;
  email: string;
  role: TRole;
  workspaceId: string;
}

/** A user who belongs to `workspaceId` with `role` (no password: tests act through contexts, not sign-in). */
export async function createMember(prisma: PrismaClient, workspaceId: string, role: TRole, name = `${role} ${randomUUID().slice(0, 8)}`): Promise<TTestMember> {
  const id = randomUUID();
  const email = `${name.replace(/\W+/g, ".").toLowerCase()}@example.test`;
  await prisma.user.create({ data: { id, name, email } });
  await prisma.membership.create({ data: { workspaceId, userId: id, role } });
  return { id, name, email, role, workspaceId };
}

export function contextFor(member: TTestMember | null, prisma: PrismaClient = getPrisma()): TUncheckedContext {
  if (!member) return { prisma, pool: getPool(), workspaceId: null, actor: "anonymous", role: null, userId: null };
  return { prisma, pool: getPool(), workspaceId: member.workspaceId, actor: actorName(member), role: member.role, userId: member.id };
}

export function testContext(opts: { workspaceId: string; role?: TRole | null; actor?: string; prisma?: PrismaClient }): TUncheckedContext {
  return {
    prisma: opts.prisma ?? getPrisma(),
    pool: getPool(),
    workspaceId: opts.workspaceId,
    actor: opts.actor ?? "test",
    role: opts.role === undefined ? "owner" : opts.role,
    userId: opts.role === null ? null : "test-user",
  };
}

/**
 * A tRPC caller for a new member with `role` of `workspaceId` (default: the default workspace),
 * or an anonymous one for `null`. The member comes along for assertions on history and audit.
 */
export async function callerFor(role: TRole | null, opts: { workspaceId?: string; name?: string } = {}) {
  const prisma = getPrisma();
  if (role === null) return { caller: appRouter.createCaller(contextFor(null, prisma)), member: null };
  const member = await createMember(prisma, opts.workspaceId ?? (await defaultWorkspaceId(prisma)), role, opts.name);
  return { caller: appRouter.createCaller(contextFor(member, prisma)), member };
}

/** The password `sessionCookieFor` gives members; long and uncommon, as sign-in requires. */
export const TEST_PASSWORD = "test member password, long enough";

/**
 * A session cookie (`name=value`) for `member`, from a real sign-in through better-auth's
 * handler, for tests of route handlers the app's pages call with cookies.
 */
export async function sessionCookieFor(member: TTestMember, prisma: PrismaClient = getPrisma()): Promise<string> {
  const { getAuth } = await import("../auth/auth");
  const { hashNewPassword } = await import("../auth/accounts");
  if (!(await prisma.account.findFirst({ where: { userId: member.id, providerId: "credential" } }))) {
    await prisma.account.create({ data: { id: randomUUID(), userId: member.id, accountId: member.id, providerId: "credential", password: await hashNewPassword(TEST_PASSWORD) } });
  }
  const response = await getAuth().handler(
    new Request("http://localhost:3000/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:3000" },
      body: JSON.stringify({ email: member.email, password: TEST_PASSWORD }),
    }),
  );
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("sluice.session_token="));
  if (!cookie) throw new Error(`signing in ${member.email} failed: HTTP ${response.status} ${await response.text()}`);
  return cookie.split(";")[0]!;
}
