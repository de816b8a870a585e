import { z } from "zod";
import { ZColumnType } from "@/nodes/contract";
import { readEnv } from "../../env";
import { saveUpload } from "../../services/uploads";
import { defineEndpoint, reply } from "../endpoint";
import { receiveFile } from "../multipart";

export const ZUploadResult = z.object({
  id: z.uuid().describe('Reference it from a source node as "upload:<id>"'),
  filename: z.string(),
  size: z.bigint().describe("Bytes"),
  sha256: z.string().describe("Hex SHA-256 of the bytes received"),
  columns: z.array(z.object({ name: z.string(), type: ZColumnType })).describe("Columns and inferred types (CSV)"),
});

/** Receives the file of an upload request and stores it; shared by the REST API and the editor's endpoint. */
export async function receiveUpload(ctx: Parameters<typeof saveUpload>[0], request: Request): Promise<z.input<typeof ZUploadResult>> {
  const sizeLimit = readEnv().SLUICE_MAX_UPLOAD_BYTES;
  const saved = await receiveFile(request, { field: "file", sizeLimit, onFile: (file) => saveUpload(ctx, { ...file, sizeLimit }) });
  return { id: saved.id, filename: saved.filename, size: saved.size, sha256: saved.sha256, columns: saved.columns };
}

export const createUploadEndpoint = defineEndpoint({
  method: "POST",
  path: "/uploads",
  summary: "Upload a file",
  description:
    "Streams a CSV (.csv, .tsv, .txt) or JSON (.json, .ndjson, .jsonl) file to the server, up to SLUICE_MAX_UPLOAD_BYTES. " +
    "CSV files are inspected on arrival: the response lists their columns with inferred types.",
  tags: ["Uploads"],
  role: "editor",
  body: { kind: "multipart", fields: { file: { description: "The file; its name decides how it is read", file: true, required: true } } },
  responses: { 201: { description: "Stored", schema: ZUploadResult } },
  handler: async ({ ctx, request }) => reply(201, await receiveUpload(ctx, request)),
});
