import {
  BulkFixError,
  ConflictError,
  DependencyCycleError,
  GraphInvalidError,
  InvalidSettingError,
  NotFoundError,
  QuarantineConflictError,
  ReingestError,
  RunStateError,
  UploadRejectedError,
  UploadTooLargeError,
  WebhookBodyError,
  WebhookRefusedError,
} from "../errors";
import { ApiError, payloadTooLarge } from "./errors";

/** The API's answer to each error a service throws on purpose; anything else is a 500. */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof NotFoundError) return new ApiError(404, "not_found", error.message);
  if (error instanceof GraphInvalidError) return new ApiError(400, "graph_invalid", error.message, { problems: error.problems });
  if (error instanceof UploadTooLargeError) return payloadTooLarge(error.limit, "The file");
  if (error instanceof UploadRejectedError) return new ApiError(400, "invalid_file", error.message);
  if (error instanceof QuarantineConflictError || error instanceof ReingestError || error instanceof RunStateError || error instanceof ConflictError) return new ApiError(409, "conflict", error.message);
  if (error instanceof BulkFixError) return new ApiError(400, "invalid_request", error.message);
  if (error instanceof InvalidSettingError) return new ApiError(400, "invalid_request", error.message, { field: error.field });
  if (error instanceof DependencyCycleError) return new ApiError(400, "invalid_request", error.message, { cycle: error.cycle });
  if (error instanceof WebhookRefusedError) return new ApiError(401, "unauthorized", error.message);
  if (error instanceof WebhookBodyError) return new ApiError(400, "invalid_request", error.message);
  return undefined;
}
