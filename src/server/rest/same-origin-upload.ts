import "server-only";
import { receiveUpload } from "./endpoints/uploads";
import { ApiError } from "./errors";
import { errorResponse, internalErrorResponse, jsonResponse } from "./respond";
import { toApiError } from "./service-errors";
import { authorizeSession } from "./session";

/**
 * Browsers send Origin on every cross-site POST; a form on another site must not be able
 * to drop files into Sluice on behalf of whoever has it open.
 */
function assertSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  if (origin === null) return;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? new URL(request.url).host;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = "";
  }
  if (originHost !== host) throw new ApiError(403, "forbidden", "Uploads are accepted from Sluice's own pages only");
}

/**
 * The editor's upload endpoint (`POST /api/uploads`): the same streaming upload as
 * `POST /api/v1/uploads`, for a signed-in editor (session cookie) instead of a bearer token.
 * Answers with the same JSON, errors included, so the upload dialog can show them.
 */
export async function handleSameOriginUpload(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const ctx = await authorizeSession(request, "editor");
    return jsonResponse(201, await receiveUpload(ctx, request));
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    const mapped = toApiError(error);
    if (mapped) return errorResponse(mapped);
    return internalErrorResponse(error, "POST /api/uploads");
  }
}
