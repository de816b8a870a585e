import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { toJson } from "../db/json";
import { UploadRejectedError, UploadTooLargeError } from "../errors";
import type { TInspectedUpload } from "../engine/runners/contract";
import { uploadFormatOf, uploadFormats } from "../engine/runners/registry";
import { uploadPath } from "../storage";
import { UploadTextDecoder, type TUtf16Encoding } from "./upload-text";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId">;

/** What the server learnt about an upload when it arrived (stored in Upload.inspection): its kind, and what the source's runner found. */
export type TUploadInspection = TInspectedUpload & {
  /** The upload kind its file name says (a source's `capabilities.acceptsUploads`). */
  kind: string;
  /** The file arrived in UTF-16 (said by its byte order mark) and is stored decoded into UTF-8. */
  decodedFrom?: TUtf16Encoding;
};

/**
 * Reads what sources need to know about a stored file: its format and columns, as the
 * runner of the source that accepts its kind inspects it.
 */
export async function inspectUpload(filePath: string, filename: string): Promise<TUploadInspection> {
  const format = uploadFormatOf(filename);
  if (!format) throw new UploadRejectedError(unsupportedMessage(filename));
  try {
    const inspected = await format.inspect(filePath);
    return { kind: format.kind, format: inspected.format, columns: inspected.columns };
  } catch (error) {
    throw new UploadRejectedError(`${filename} could not be read as ${format.label}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function unsupportedMessage(filename: string): string {
  return `${filename} is not a supported file type: upload a ${uploadFormats().flatMap((f) => f.extensions).join(", ")} file`;
}

export interface SaveUploadInput {
  filename: string;
  contentType: string;
  /** The file's bytes; read once, never buffered whole. */
  stream: Readable;
  /** Larger files are refused while they stream in (readEnv().SLUICE_MAX_UPLOAD_BYTES). */
  sizeLimit: number;
}

/**
 * Streams a file to disk under a temporary name while counting and hashing it (the bytes as
 * sent; UTF-16 is stored as UTF-8), inspects it, then gives it its final name and records it. Any failure (too large, unreadable,
 * client gone) leaves neither a file nor a row behind.
 */
export async function saveUpload(ctx: Ctx, input: SaveUploadInput) {
  const filename = path.basename(input.filename.replaceAll("\\", "/")).trim();
  if (!filename) throw new UploadRejectedError("The upload has no file name; send one in the multipart part's filename");
  const kind = uploadFormatOf(filename);
  if (!kind) throw new UploadRejectedError(unsupportedMessage(filename));

  const id = randomUUID();
  const finalPath = uploadPath(ctx.workspaceId, id);
  const partialPath = `${finalPath}.partial`;
  await mkdir(path.dirname(finalPath), { recursive: true });

  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > input.sizeLimit) return callback(new UploadTooLargeError(input.sizeLimit));
      hash.update(chunk);
      callback(null, chunk);
    },
  });

  const text = new UploadTextDecoder(filename);
  const out = createWriteStream(partialPath, { flags: "wx" });
  let inspection: TUploadInspection;
  try {
    // A binary format (a zip) is stored as sent: the text checks would refuse it.
    if (kind.binary) await pipeline(input.stream, meter, out);
    else await pipeline(input.stream, meter, text, out);
    if (size === 0) throw new UploadRejectedError(`${filename} is empty`);
    inspection = await inspectUpload(partialPath, filename);
    if (text.decodedFrom) inspection = { ...inspection, decodedFrom: text.decodedFrom };
    await rename(partialPath, finalPath);
  } catch (error) {
    // A stream destroyed early may still be opening its file: removing it before it closes would leave it behind.
    if (!out.closed) await new Promise<void>((resolve) => out.once("close", () => resolve()));
    await rm(partialPath, { force: true });
    throw error;
  }

  try {
    const row = await ctx.prisma.upload.create({
      data: {
        id,
        workspaceId: ctx.workspaceId,
        filename,
        contentType: input.contentType,
        size: BigInt(size),
        sha256: hash.digest("hex"),
        inspection: toJson(inspection),
      },
    });
    return { id: row.id, filename: row.filename, contentType: row.contentType, size: row.size, sha256: row.sha256, columns: inspection.columns, inspection, createdAt: row.createdAt };
  } catch (error) {
    await rm(finalPath, { force: true });
    throw error;
  }
}
