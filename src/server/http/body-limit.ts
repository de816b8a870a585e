/**
 * How much a request may send, decided at the door and again while the body streams in: a
 * declared Content-Length over the limit is refused before a byte is read (Node's parser never
 * delivers more than the declared length), and a chunked body is counted as it arrives by the
 * route handler that reads it (`readBoundedBody`), so no handler holds more than the limit.
 */
import { formatBytes } from "../rest/errors";
import { unstorableTextProblem } from "./storable-text";

/** JSON bodies of tRPC (a batch of calls), REST and the sign-in endpoints. */
export const MAX_REQUEST_BODY_BYTES = 2 * 1024 * 1024;
/** Deeper JSON than this is refused: parsing copes, but serializing it again (Prisma, JSON.stringify) recurses per level. */
export const MAX_JSON_DEPTH = 64;

/** Paths whose handlers stream large files to disk under their own limit (SLUICE_MAX_UPLOAD_BYTES). */
const FILE_UPLOAD_PATHS = ["/api/uploads", "/api/v1/uploads"];

/** The body limit for a request path, or null where the handler enforces its own (file uploads). */
export function bodyLimitFor(path: string): number | null {
  const pathname = path.split("?")[0] ?? path;
  if (FILE_UPLOAD_PATHS.includes(pathname.replace(/\/+$/, ""))) return null;
  return MAX_REQUEST_BODY_BYTES;
}

export class BodyRefusedError extends Error {
  constructor(
    readonly status: 400 | 413,
    readonly code: "payload_too_large" | "invalid_request",
    message: string,
  ) {
    super(message);
  }
}

export function tooLarge(limit: number, what = "The request body"): BodyRefusedError {
  return new BodyRefusedError(413, "payload_too_large", `${what} is larger than the limit of ${formatBytes(limit)} (${limit} bytes)`);
}

/** True when a declared Content-Length alone says the body is over `limit`. */
export function declaredTooLarge(contentLength: string | null | undefined, limit: number): boolean {
  if (contentLength === null || contentLength === undefined) return false;
  const declared = Number(contentLength);
  return !Number.isFinite(declared) || declared > limit;
}

/**
 * Reads a whole request body, refusing it as soon as it is known to exceed `limit`: up front
 * from Content-Length, and by counting while reading (a chunked body declares no length).
 */
export async function readBoundedBody(request: Request, limit: number): Promise<Uint8Array> {
  if (declaredTooLarge(request.headers.get("content-length"), limit)) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * The deepest nesting of arrays and objects in JSON text, found by one pass over the
 * characters (no recursion, so hostile depth cannot overflow the stack here); strings are
 * skipped with their escapes. Works on invalid JSON too: parsing reports that afterwards.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

export function assertJsonDepth(text: string, what = "The request body", limit = MAX_JSON_DEPTH): void {
  if (jsonDepth(text) > limit) {
    throw new BodyRefusedError(400, "invalid_request", `${what} nests arrays and objects more than ${limit} levels deep; send flatter JSON`);
  }
}

/** Refuses JSON text holding a string PostgreSQL cannot store; invalid JSON is left for the handler to report. */
function assertStorableJson(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  const problem = unstorableTextProblem(parsed, "The request body");
  if (problem !== null) throw new BodyRefusedError(400, "invalid_request", problem);
}

export function refusalResponse(error: BodyRefusedError): Response {
  return Response.json({ error: { code: error.code, message: error.message } }, { status: error.status, headers: { connection: "close" } });
}

/**
 * A route handler that sees its JSON body only once it is known to be within the limit and not
 * too deep, as a fresh Request holding the bytes read; tRPC and better-auth read bodies whole,
 * so this is where their bodies are bounded. A `?input=` query (tRPC GET) is depth-checked too.
 * `storableText` also refuses text PostgreSQL cannot store (storable-text.ts), for handlers
 * without a check of their own (better-auth; tRPC checks in its procedures, answering in its
 * own error format).
 */
export function withBoundedBody(handler: (request: Request) => Promise<Response>, options: { limit?: number; storableText?: boolean } = {}) {
  const limit = options.limit ?? MAX_REQUEST_BODY_BYTES;
  return async (request: Request): Promise<Response> => {
    try {
      const input = new URL(request.url).searchParams.get("input");
      if (input !== null) assertJsonDepth(input, "The input");
      if (request.method === "GET" || request.method === "HEAD") return await handler(request);
      const bytes = await readBoundedBody(request, limit);
      const text = new TextDecoder().decode(bytes);
      assertJsonDepth(text);
      if (options.storableText) assertStorableJson(text);
      const headers = new Headers(request.headers);
      headers.delete("transfer-encoding");
      headers.set("content-length", String(bytes.byteLength));
      return await handler(new Request(request.url, { method: request.method, headers, body: bytes.byteLength > 0 ? (bytes as BufferSource) : null, signal: request.signal }));
    } catch (error) {
      if (error instanceof BodyRefusedError) return refusalResponse(error);
      throw error;
    }
  };
}
