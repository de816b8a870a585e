import type { Column, TUploadOptions, UploadInfo } from "@/nodes/contract";
import { uploadIdOf } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import type { PrismaClient } from "@/generated/prisma/client";
import { uploadPath } from "../storage";
import { uploadFormats } from "./runners/registry";

interface Inspection {
  kind?: string;
  columns?: Column[];
  format?: Record<string, unknown>;
}

/** An upload as the server sees it: what graph checking needs, plus the format detected on upload. */
export interface UploadCatalogEntry extends UploadInfo {
  format: Record<string, unknown>;
}

/** Looks up an upload by id; with options, as inspected again with them (see TUploadOptions). */
export type TUploadCatalog = (id: string, options?: TUploadOptions) => UploadCatalogEntry | undefined;

/**
 * Uploads never change once stored, so an inspection with options holds for good: kept
 * here (a few, most recent last) because graph checking asks again on every edit.
 */
const inspectedWithOptions = new Map<string, Promise<UploadCatalogEntry>>();
const KEPT_INSPECTIONS = 64;

function optionsKey(id: string, options: TUploadOptions): string {
  return `${id}\u0000${JSON.stringify(Object.entries(options).sort(([a], [b]) => a.localeCompare(b)))}`;
}

function reinspect(workspaceId: string, entry: UploadCatalogEntry, kind: string | undefined, options: TUploadOptions): Promise<UploadCatalogEntry> {
  const key = `${workspaceId}\u0000${optionsKey(entry.id, options)}`;
  const known = inspectedWithOptions.get(key);
  if (known) {
    inspectedWithOptions.delete(key);
    inspectedWithOptions.set(key, known);
    return known;
  }
  const format = uploadFormats().find((f) => f.kind === kind);
  const inspected: Promise<UploadCatalogEntry> = format
    ? format.inspect(uploadPath(workspaceId, entry.id), options).then(
        (found) => ({ ...entry, columns: found.columns, format: found.format }),
        (error: unknown) => ({ ...entry, columns: [], format: {}, problem: error instanceof Error ? error.message : String(error) }),
      )
    : Promise.resolve(entry);
  inspectedWithOptions.set(key, inspected);
  if (inspectedWithOptions.size > KEPT_INSPECTIONS) inspectedWithOptions.delete(inspectedWithOptions.keys().next().value as string);
  return inspected;
}

/**
 * Upload metadata for the uploads a graph references, as graph checking needs it: each as
 * inspected when it arrived, and, for a source whose settings change what inspecting it
 * finds (`uploadOptions`), as inspected again with those settings.
 */
export async function loadUploadCatalog(prisma: PrismaClient, workspaceId: string, graph: unknown): Promise<TUploadCatalog> {
  const nodes = (graph as { nodes?: { type?: unknown; config?: { file?: unknown } }[] } | null)?.nodes ?? [];
  const ids = [...new Set(nodes.map((n) => uploadIdOf(n.config?.file)).filter((id): id is string => id !== undefined))];
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const uploads = await prisma.upload.findMany({
    where: { workspaceId, id: { in: ids.filter((id) => uuid.test(id)) } },
    select: { id: true, filename: true, inspection: true },
  });
  const kinds = new Map<string, string | undefined>();
  const byId = new Map(
    uploads.map((u) => {
      const inspection = u.inspection as Inspection | null;
      kinds.set(u.id, inspection?.kind);
      return [u.id, { id: u.id, filename: u.filename, columns: inspection?.columns ?? [], format: inspection?.format ?? {} }];
    }),
  );

  const withOptions = new Map<string, UploadCatalogEntry>();
  await Promise.all(
    nodes.map(async (node) => {
      const definition = typeof node.type === "string" ? registry.get(node.type) : undefined;
      const uploadId = uploadIdOf(node.config?.file);
      const entry = uploadId ? byId.get(uploadId) : undefined;
      if (!definition?.uploadOptions || !entry) return;
      const config = definition.config.safeParse(node.config);
      const options = config.success ? definition.uploadOptions(config.data) : undefined;
      if (!options || Object.keys(options).length === 0) return;
      withOptions.set(optionsKey(entry.id, options), await reinspect(workspaceId, entry, kinds.get(entry.id), options));
    }),
  );
  return (id, options) => {
    const entry = byId.get(id);
    if (!entry || !options || Object.keys(options).length === 0) return entry;
    // Settings given by a run parameter are known only once resolved, after this catalog was made.
    return withOptions.get(optionsKey(id, options)) ?? { ...entry, columns: [], problem: "the file's columns with these settings are not known here: set them directly, not through a parameter" };
  };
}
