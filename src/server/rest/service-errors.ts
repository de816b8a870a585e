import { publicError } from "../error-map";
import { UploadTooLargeError } from "../errors";
import { ApiError, payloadTooLarge } from "./errors";

/** The API's answer to each error a service throws on purpose (../error-map.ts); anything else is a 500. */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof UploadTooLargeError) return payloadTooLarge(error.limit, "The file");
  const answer = publicError(error);
  return answer && error instanceof Error ? new ApiError(answer.status, answer.code, error.message, answer.details) : undefined;
}
