import { BodyRefusedError, jsonDepth, MAX_JSON_DEPTH, readBoundedBody } from "../http/body-limit";
import { unstorableTextProblem } from "../http/storable-text";
import { ApiError, badRequest, payloadTooLarge } from "./errors";

/** JSON request bodies larger than this are refused (uploads have their own limit). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** A whole request body, refused (413) as soon as it is known to exceed `limit`. */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  try {
    return await readBoundedBody(request, limit);
  } catch (error) {
    if (error instanceof BodyRefusedError) throw payloadTooLarge(limit, "The request body");
    throw error;
  }
}

function isJsonContentType(contentType: string): boolean {
  const essence = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return essence === "application/json" || essence.endsWith("+json");
}

/** The parsed JSON body; an empty body reads as `{}` so all-optional bodies may be omitted. */
export async function readJsonBody(request: Request, limit = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const bytes = await readBodyBytes(request, limit);
  if (bytes.byteLength === 0) return {};
  const contentType = request.headers.get("content-type");
  if (contentType !== null && !isJsonContentType(contentType)) {
    throw new ApiError(415, "unsupported_media_type", `Send the body as JSON with "Content-Type: application/json" (got "${contentType}")`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw badRequest("The request body is not valid UTF-8");
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw badRequest(`The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; send flatter JSON`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const problem = unstorableTextProblem(body, "The request body");
  if (problem !== null) throw badRequest(problem);
  return body;
}
