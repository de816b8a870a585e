import type { PrismaClient } from "@/generated/prisma/client";
import { toJson } from "../db/json";
import type { TRequestContext } from "../context";

/** Who acted, as the audit log needs it; tRPC and REST contexts both carry these fields. */
export type AuditCtx = Pick<TRequestContext, "prisma" | "workspaceId" | "actor" | "userId" | "address">;

export interface AuditEntry {
  /** Dotted, past tense by its object: "pipeline.saved", "run.started", "member.removed". */
  action: string;
  /** What it was done to, e.g. a pipeline id. */
  target?: string;
  details?: Record<string, unknown>;
}

/** Writes one audit event in the caller's workspace. */
export async function recordAudit(ctx: AuditCtx, entry: AuditEntry): Promise<void> {
  await ctx.prisma.auditEvent.create({
    data: {
      workspaceId: ctx.workspaceId,
      userId: ctx.userId ?? null,
      actor: ctx.actor,
      action: entry.action,
      target: entry.target ?? null,
      details: toJson(entry.details ?? {}),
      ipAddress: ctx.address ?? null,
    },
  });
}

/**
 * Sign-ins belong to no workspace: the event names the user when the email is one, so owners
 * see sign-ins (and failures) of their members, and never learns anything about other emails.
 */
export async function recordAuthEvent(prisma: PrismaClient, event: { action: string; email: string; address: string | null }): Promise<void> {
  const user = await prisma.user.findUnique({ where: { email: event.email }, select: { id: true, name: true } });
  await prisma.auditEvent.create({
    data: {
      workspaceId: null,
      userId: user?.id ?? null,
      actor: user ? `${user.name} <${event.email}>` : event.email.slice(0, 200),
      action: event.action,
      ipAddress: event.address,
    },
  });
}
