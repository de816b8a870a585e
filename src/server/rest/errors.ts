import type { z } from "zod";

/** Machine-readable error codes of the public API; `message` is the human part. */
export type TApiErrorCode =
  | "unauthorized"
  | "forbidden"
  | "invalid_request"
  | "graph_invalid"
  | "invalid_file"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "too_many_requests"
  | "internal";

/**
 * An error the API answers with as `{ "error": { code, message, ...details } }`.
 * Anything else thrown by a handler becomes a generic 500 (and is logged).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: TApiErrorCode,
    message: string,
    /** Extra fields of the error object, e.g. `problems` of an invalid graph. */
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function notFound(message: string): ApiError {
  return new ApiError(404, "not_found", message);
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "invalid_request", message);
}

export function payloadTooLarge(limit: number, what: string): ApiError {
  return new ApiError(413, "payload_too_large", `${what} is larger than the limit of ${formatBytes(limit)} (${limit} bytes)`);
}

/** "1.5 MiB" — limits in messages people read. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** Every issue as `path: message`, joined; the path is what a person has to fix. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): string {
  return issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((p) => p !== "").join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
