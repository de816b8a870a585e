import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "@/generated/prisma/client";
import { recordAudit } from "../audit/record";
import { ConflictError, NotFoundError } from "../errors";
import { publicUrl } from "../public-url";
import { hashNewPassword, insertUser, ZNewAccount, type TNewAccount } from "./accounts";
import type { TRole } from "./roles";
import type { TRequestContext } from "../context";

/** An owner acting on their workspace: a signed-in user, a token's user, or SLUICE_API_TOKEN (no user). */
type OwnerCtx = Pick<TRequestContext, "prisma" | "workspaceId" | "userId" | "actor" | "address">;

/** A user id as members are named in requests. */
export const ZUserId = z.string().min(1).max(100);

/** A workspace's name as people type it. */
export const ZWorkspaceName = z.string().trim().min(1, "Name the workspace").max(200);

/** Invitation links work for this long unless the owner chooses otherwise. */
export const INVITATION_DAYS = 7;

const hashSecret = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

/** The workspaces a user belongs to, the first joined first, with their role in each. */
export async function listUserWorkspaces(prisma: PrismaClient, userId: string) {
  const rows = await prisma.membership.findMany({
    where: { userId },
    orderBy: { createdAt: "asc" },
    select: { role: true, workspace: { select: { id: true, name: true } } },
  });
  return rows.map((r) => ({ id: r.workspace.id, name: r.workspace.name, role: r.role }));
}

/** Makes `workspaceId` the one the session acts in; only a workspace the user belongs to. */
export async function switchWorkspace(prisma: PrismaClient, input: { userId: string; sessionId: string; workspaceId: string }) {
  const membership = await prisma.membership.findUnique({ where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } } });
  if (!membership) throw new NotFoundError("Workspace", input.workspaceId);
  await prisma.session.updateMany({ where: { id: input.sessionId, userId: input.userId }, data: { activeWorkspaceId: input.workspaceId } });
  return { workspaceId: input.workspaceId, role: membership.role };
}

/** A new, empty workspace owned by its creator. */
export async function createWorkspace(prisma: PrismaClient, input: { userId: string; actor: string; name: string }) {
  return prisma.$transaction(async (tx) => {
    const workspace = await tx.workspace.create({ data: { name: input.name }, select: { id: true, name: true } });
    await tx.membership.create({ data: { workspaceId: workspace.id, userId: input.userId, role: "owner" } });
    await tx.auditEvent.create({ data: { workspaceId: workspace.id, userId: input.userId, actor: input.actor, action: "workspace.created", target: workspace.id, details: { name: input.name } } });
    return workspace;
  });
}

export async function listMembers(ctx: OwnerCtx) {
  const rows = await ctx.prisma.membership.findMany({
    where: { workspaceId: ctx.workspaceId },
    orderBy: { createdAt: "asc" },
    select: { role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } },
  });
  return rows.map((r) => ({ ...r.user, role: r.role, joinedAt: r.createdAt }));
}

/** A workspace always keeps an owner: the last one can neither leave nor step down. */
async function assertNotLastOwner(ctx: OwnerCtx, userId: string) {
  const owners = await ctx.prisma.membership.findMany({ where: { workspaceId: ctx.workspaceId, role: "owner" }, select: { userId: true } });
  if (owners.length === 1 && owners[0]?.userId === userId) throw new ConflictError("A workspace needs an owner: make someone else owner first");
}

async function memberOrThrow(ctx: OwnerCtx, userId: string) {
  const member = await ctx.prisma.membership.findUnique({
    where: { workspaceId_userId: { workspaceId: ctx.workspaceId, userId } },
    select: { role: true, user: { select: { name: true, email: true } } },
  });
  if (!member) throw new NotFoundError("Member", userId);
  return member;
}

export async function setMemberRole(ctx: OwnerCtx, input: { userId: string; role: TRole }) {
  const member = await memberOrThrow(ctx, input.userId);
  if (input.role !== "owner") await assertNotLastOwner(ctx, input.userId);
  await ctx.prisma.membership.update({ where: { workspaceId_userId: { workspaceId: ctx.workspaceId, userId: input.userId } }, data: { role: input.role } });
  await recordAudit(ctx, { action: "member.role-changed", target: input.userId, details: { email: member.user.email, from: member.role, to: input.role } });
  return { userId: input.userId, role: input.role };
}

/** Removes a member; their sessions end at once and their tokens stop working (they act for a member no more). */
export async function removeMember(ctx: OwnerCtx, userId: string) {
  const member = await memberOrThrow(ctx, userId);
  await assertNotLastOwner(ctx, userId);
  await ctx.prisma.$transaction([
    ctx.prisma.membership.delete({ where: { workspaceId_userId: { workspaceId: ctx.workspaceId, userId } } }),
    ctx.prisma.apiToken.updateMany({ where: { workspaceId: ctx.workspaceId, userId, revokedAt: null }, data: { revokedAt: new Date() } }),
    ctx.prisma.session.deleteMany({ where: { userId } }),
  ]);
  await recordAudit(ctx, { action: "member.removed", target: userId, details: { email: member.user.email, role: member.role } });
  return { userId };
}

const INVITATION_FIELDS = { id: true, role: true, createdAt: true, expiresAt: true, acceptedAt: true, revokedAt: true, createdBy: true } as const;

/** A link that makes whoever opens it a member with `role`. The link is in the result only; the database keeps its hash. */
export async function createInvitation(ctx: OwnerCtx, input: { role: TRole; days?: number }) {
  const secret = randomBytes(24).toString("base64url");
  const invitation = await ctx.prisma.invitation.create({
    data: {
      workspaceId: ctx.workspaceId,
      role: input.role,
      tokenHash: hashSecret(secret),
      createdBy: ctx.actor,
      expiresAt: new Date(Date.now() + (input.days ?? INVITATION_DAYS) * 86_400_000),
    },
    select: INVITATION_FIELDS,
  });
  await recordAudit(ctx, { action: "member.invited", target: invitation.id, details: { role: input.role } });
  return { ...invitation, url: `${publicUrl()}/invite/${secret}` };
}

/** Open invitations (not used, revoked or expired), newest first. */
export async function listInvitations(ctx: OwnerCtx) {
  return ctx.prisma.invitation.findMany({
    where: { workspaceId: ctx.workspaceId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: INVITATION_FIELDS,
  });
}

export async function revokeInvitation(ctx: OwnerCtx, id: string) {
  const { count } = await ctx.prisma.invitation.updateMany({ where: { id, workspaceId: ctx.workspaceId, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count === 0) throw new NotFoundError("Invitation", id);
  await recordAudit(ctx, { action: "member.invitation-revoked", target: id });
  return { id };
}

const INVALID_INVITATION = "This invitation link is not valid: it was used already, revoked or has expired. Ask for a new one.";

/** What an invitation link offers, for the page that opens it. */
export async function previewInvitation(prisma: PrismaClient, secret: string) {
  const invitation = await prisma.invitation.findUnique({
    where: { tokenHash: hashSecret(secret) },
    select: { role: true, expiresAt: true, acceptedAt: true, revokedAt: true, createdBy: true, workspace: { select: { name: true } } },
  });
  if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt <= new Date()) return null;
  return { workspaceName: invitation.workspace.name, role: invitation.role, invitedBy: invitation.createdBy.replace(/\s*<[^>]*>$/, "") };
}

/**
 * Uses up an invitation for `userId` in one statement (two people opening one link: one wins).
 * A user already in the workspace keeps the higher of the two roles.
 */
async function consumeInvitation(prisma: PrismaClient, secret: string, userId: string) {
  return prisma.$transaction(async (tx) => {
    const claimed = await tx.invitation.updateManyAndReturn({
      where: { tokenHash: hashSecret(secret), acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      data: { acceptedAt: new Date(), acceptedBy: userId },
      select: { id: true, workspaceId: true, role: true },
    });
    const invitation = claimed[0];
    if (!invitation) throw new ConflictError(INVALID_INVITATION);
    const existing = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: invitation.workspaceId, userId } } });
    const rank = (r: TRole) => ["viewer", "editor", "owner"].indexOf(r);
    const role = existing && rank(existing.role) > rank(invitation.role) ? existing.role : invitation.role;
    await tx.membership.upsert({
      where: { workspaceId_userId: { workspaceId: invitation.workspaceId, userId } },
      create: { workspaceId: invitation.workspaceId, userId, role },
      update: { role },
    });
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { name: true, email: true } });
    await tx.auditEvent.create({
      data: { workspaceId: invitation.workspaceId, userId, actor: `${user.name} <${user.email}>`, action: "member.joined", target: invitation.id, details: { role } },
    });
    return { workspaceId: invitation.workspaceId, role };
  });
}

/** A signed-in user joins; their session then acts in the workspace they joined. */
export async function acceptInvitation(prisma: PrismaClient, input: { secret: string; userId: string; sessionId: string | null }) {
  const joined = await consumeInvitation(prisma, input.secret, input.userId);
  if (input.sessionId) await prisma.session.updateMany({ where: { id: input.sessionId }, data: { activeWorkspaceId: joined.workspaceId } });
  return joined;
}

/** Someone new creates their account from the link (then signs in as usual). */
export async function acceptInvitationAsNewUser(prisma: PrismaClient, input: { secret: string; account: TNewAccount }) {
  const account = ZNewAccount.parse(input.account);
  if (!(await previewInvitation(prisma, input.secret))) throw new ConflictError(INVALID_INVITATION);
  const passwordHash = await hashNewPassword(account.password);
  const user = await prisma.$transaction((tx) => insertUser(tx, account, passwordHash));
  try {
    await consumeInvitation(prisma, input.secret, user.id);
  } catch (error) {
    // Someone else used the link in between: the account made for it must not stay behind.
    await prisma.user.delete({ where: { id: user.id } });
    throw error;
  }
  return { email: user.email };
}
