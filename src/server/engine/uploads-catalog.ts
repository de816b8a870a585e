import type { Column, UploadInfo } from "@/nodes/contract";
import { uploadIdOf } from "@/nodes/pipeline";
import type { PrismaClient } from "@/generated/prisma/client";

interface Inspection {
  columns?: Column[];
  format?: Record<string, unknown>;
}

/** An upload as the server sees it: what graph checking needs, plus the format detected on upload. */
export interface UploadCatalogEntry extends UploadInfo {
  format: Record<string, unknown>;
}

/** Upload metadata for the uploads a graph references, as graph checking needs it. */
export async function loadUploadCatalog(
  prisma: PrismaClient,
  workspaceId: string,
  graph: unknown,
): Promise<(id: string) => UploadCatalogEntry | undefined> {
  const nodes = (graph as { nodes?: { config?: { file?: unknown } }[] } | null)?.nodes ?? [];
  const ids = [...new Set(nodes.map((n) => uploadIdOf(n.config?.file)).filter((id): id is string => id !== undefined))];
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const uploads = await prisma.upload.findMany({
    where: { workspaceId, id: { in: ids.filter((id) => uuid.test(id)) } },
    select: { id: true, filename: true, inspection: true },
  });
  const byId = new Map(
    uploads.map((u) => {
      const inspection = u.inspection as Inspection | null;
      return [u.id, { id: u.id, filename: u.filename, columns: inspection?.columns ?? [], format: inspection?.format ?? {} }];
    }),
  );
  return (id) => byId.get(id);
}
