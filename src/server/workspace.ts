import type { PrismaClient } from "@/generated/prisma/client";

const DEFAULT_WORKSPACE_NAME = "Default workspace";
const cache = globalThis as unknown as { __sluiceWorkspaceId?: string };

/**
 * The workspace every request acts in. There is one until accounts arrive; every
 * owned row already carries workspaceId so that change needs no data rewrite.
 */
export async function defaultWorkspaceId(prisma: PrismaClient): Promise<string> {
  if (cache.__sluiceWorkspaceId) return cache.__sluiceWorkspaceId;
  const existing = await prisma.workspace.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
  const workspace = existing ?? (await prisma.workspace.create({ data: { name: DEFAULT_WORKSPACE_NAME }, select: { id: true } }));
  cache.__sluiceWorkspaceId = workspace.id;
  return workspace.id;
}
