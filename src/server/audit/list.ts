import type { Prisma, PrismaClient } from "@/generated/prisma/client";

export interface TAuditFilter {
  /** Actions starting with this ("pipeline.", "sign-in"). */
  action?: string;
  /** Text in the actor's name or email. */
  actor?: string;
  limit?: number;
}

/** This workspace's events, and the sign-ins (and failures) of its members, which belong to no workspace. */
async function scope(prisma: PrismaClient, workspaceId: string, filter: TAuditFilter): Promise<Prisma.AuditEventWhereInput> {
  const members = await prisma.membership.findMany({ where: { workspaceId }, select: { userId: true } });
  return {
    OR: [{ workspaceId }, { workspaceId: null, userId: { in: members.map((m) => m.userId) } }],
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.actor ? { actor: { contains: filter.actor, mode: "insensitive" } } : {}),
  };
}

const FIELDS = { id: true, at: true, actor: true, action: true, target: true, details: true, ipAddress: true } as const;

export async function listAudit(ctx: { prisma: PrismaClient; workspaceId: string }, filter: TAuditFilter) {
  const rows = await ctx.prisma.auditEvent.findMany({ where: await scope(ctx.prisma, ctx.workspaceId, filter), orderBy: { id: "desc" }, take: filter.limit ?? 100, select: FIELDS });
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}
