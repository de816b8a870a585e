import type { PrismaClient } from "@/generated/prisma/client";
import { getAuth } from "./auth";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import type { TRole } from "./roles";

export interface TCallerUser {
  id: string;
  name: string;
  email: string;
}

/** Who is calling, in which workspace, with which role: what every entry point decides access by. */
export interface TCaller {
  user: TCallerUser;
  /** The session's id; null when the caller came with an API token. */
  sessionId: string | null;
  /** The workspace acted in; null when the user belongs to none (removed everywhere). */
  workspaceId: string | null;
  role: TRole | null;
  /** How the caller is named in history and the audit log. */
  actor: string;
  address: string | null;
}

export function actorName(user: TCallerUser): string {
  return `${user.name} <${user.email}>`;
}

/** The session's active workspace when the user still belongs to it, else the one they joined first. */
export async function activeMembership(prisma: PrismaClient, userId: string, preferred: string | null | undefined) {
  const memberships = await prisma.membership.findMany({ where: { userId }, orderBy: { createdAt: "asc" }, select: { workspaceId: true, role: true } });
  return memberships.find((m) => m.workspaceId === preferred) ?? memberships[0] ?? null;
}

/** The caller a request's session cookie names, or null when it names none (absent, expired, signed out). */
export async function callerFromSession(prisma: PrismaClient, headers: Headers): Promise<TCaller | null> {
  const found = await getAuth().api.getSession({ headers, query: { disableRefresh: true } });
  if (!found) return null;
  const user = { id: found.user.id, name: found.user.name, email: found.user.email };
  const membership = await activeMembership(prisma, user.id, found.session.activeWorkspaceId);
  return {
    user,
    sessionId: found.session.id,
    workspaceId: membership?.workspaceId ?? null,
    role: membership?.role ?? null,
    actor: actorName(user),
    address: headers.get(CLIENT_ADDRESS_HEADER),
  };
}
