import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "@/generated/prisma/client";
import { ConflictError, InvalidSettingError } from "../errors";
import { defaultWorkspaceId } from "../workspace";
import { getAuth } from "./auth";
import { passwordProblem } from "./passwords";
import { z } from "zod";

export const ZNewAccount = z.object({
  name: z.string().trim().min(1, "Enter your name").max(200),
  email: z.email("Enter an email address").trim().toLowerCase().max(320),
  password: z.string(),
});
export type TNewAccount = z.infer<typeof ZNewAccount>;

export async function hasUsers(prisma: PrismaClient): Promise<boolean> {
  return (await prisma.user.count()) > 0;
}

/** Inserts a user with a credential account, the password hashed by better-auth the way its sign-in verifies it. */
export async function insertUser(tx: Prisma.TransactionClient, account: TNewAccount, passwordHash: string) {
  const id = randomUUID();
  if (await tx.user.findUnique({ where: { email: account.email }, select: { id: true } })) {
    throw new ConflictError(`An account for ${account.email} already exists: sign in instead`);
  }
  const user = await tx.user.create({ data: { id, name: account.name, email: account.email, emailVerified: true }, select: { id: true, name: true, email: true } });
  await tx.account.create({ data: { id: randomUUID(), userId: id, accountId: id, providerId: "credential", password: passwordHash } });
  return user;
}

export async function hashNewPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new InvalidSettingError("password", problem);
  const context = await getAuth().$context;
  return context.password.hash(password);
}

/**
 * First run: the first user becomes the owner of the default workspace, where every pipeline,
 * run and token made before accounts existed already lives; tokens without a user become theirs.
 * Refused once any user exists, also when two requests race (advisory lock).
 */
export async function createOwner(prisma: PrismaClient, input: TNewAccount) {
  const account = ZNewAccount.parse(input);
  const passwordHash = await hashNewPassword(account.password);
  const workspaceId = await defaultWorkspaceId(prisma);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('sluice:first-owner'))`;
    if ((await tx.user.count()) > 0) throw new ConflictError("Sluice is already set up: sign in instead");
    const user = await insertUser(tx, account, passwordHash);
    await tx.membership.create({ data: { workspaceId, userId: user.id, role: "owner" } });
    await tx.apiToken.updateMany({ where: { userId: null }, data: { userId: user.id } });
    await tx.auditEvent.create({ data: { workspaceId, userId: user.id, actor: `${user.name} <${user.email}>`, action: "setup.owner-created" } });
    return { ...user, workspaceId };
  });
}

/**
 * SLUICE_ADMIN_EMAIL + SLUICE_ADMIN_PASSWORD create the owner without the UI (Docker, CI).
 * Only while there is no user: changing the variables later changes nothing.
 */
export async function bootstrapOwnerFromEnv(prisma: PrismaClient, env: { SLUICE_ADMIN_EMAIL?: string; SLUICE_ADMIN_PASSWORD?: string; SLUICE_ADMIN_NAME?: string }) {
  if (!env.SLUICE_ADMIN_EMAIL || !env.SLUICE_ADMIN_PASSWORD) return null;
  if (await hasUsers(prisma)) return null;
  try {
    return await createOwner(prisma, { name: env.SLUICE_ADMIN_NAME ?? "Admin", email: env.SLUICE_ADMIN_EMAIL, password: env.SLUICE_ADMIN_PASSWORD });
  } catch (error) {
    if (error instanceof ConflictError) return null;
    throw error;
  }
}

/** A one-time link (valid one hour) that sets a new password for `email`; null when no such user exists. */
export async function createPasswordResetLink(prisma: PrismaClient, email: string): Promise<string | null> {
  const normalized = email.trim().toLowerCase();
  if (!(await prisma.user.findUnique({ where: { email: normalized }, select: { id: true } }))) return null;
  const { onResetLink } = await import("./auth");
  let link: string | null = null;
  onResetLink((l) => (link = l));
  try {
    await getAuth().api.requestPasswordReset({ body: { email: normalized } });
  } finally {
    onResetLink(null);
  }
  return link;
}
