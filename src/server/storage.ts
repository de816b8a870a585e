import path from "node:path";
import { readEnv } from "./env";

/** Where an upload's bytes live. Uploads are immutable; the id is their only name on disk. */
export function uploadPath(workspaceId: string, uploadId: string): string {
  return path.resolve(readEnv().SLUICE_DATA_DIR, "uploads", workspaceId, uploadId);
}
