import "server-only";
import { receiveUpload } from "./endpoints/uploads";
import { ApiError } from "./errors";
import { errorResponse, internalErrorResponse, jsonResponse } from "./respond";
import { toApiError } from "./service-errors";
import { authorizeSession } from "./session";

/**
 * The editor's upload endpoint (`POST /api/uploads`): the same streaming upload as
 * `POST /api/v1/uploads`, for a signed-in editor (session cookie) instead of a bearer token.
 * Answers with the same JSON, errors included, so the upload dialog can show them. Requests
 * from other sites never get here: main.ts's front door wants this site's Origin on it.
 */
export async function handleSameOriginUpload(request: Request): Promise<Response> {
  try {
    const ctx = await authorizeSession(request, "editor");
    return jsonResponse(201, await receiveUpload(ctx, request));
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    const mapped = toApiError(error);
    if (mapped) return errorResponse(mapped);
    return internalErrorResponse(error, "POST /api/uploads");
  }
}
