import { uploadIdOf } from "@/nodes/pipeline";
import { PreviewUnavailableError } from "../../errors";
import type { UploadLookup } from "./contract";

/** The upload a file source's preview reads (its `file: "upload:<id>"`); without it there is no preview. */
export function previewUpload(nodeId: string, file: string, upload: UploadLookup) {
  const uploadId = uploadIdOf(file);
  const entry = uploadId ? upload(uploadId) : undefined;
  if (!uploadId || !entry) throw new PreviewUnavailableError(`${nodeId}: the file is not uploaded yet (or was deleted): upload it again`);
  return { uploadId, entry };
}
