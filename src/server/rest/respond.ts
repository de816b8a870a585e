import { ApiError } from "./errors";

/**
 * JSON as the API writes it: BigInt row counts and ids become numbers (they stay far
 * below 2^53 in practice), Dates become ISO strings through their own toJSON.
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? Number(v) : v));
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  if (body === undefined) return new Response(null, { status, headers });
  return new Response(toJsonText(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

/** The one error shape: `{ "error": { code, message, ...details } }`. */
export function errorResponse(error: ApiError): Response {
  return jsonResponse(error.status, { error: { code: error.code, message: error.message, ...error.details } }, error.headers);
}

/** For failures nobody anticipated: logged in full, answered without internals. */
export function internalErrorResponse(error: unknown, where: string): Response {
  console.error(`[api] ${where}:`, error);
  return errorResponse(new ApiError(500, "internal", "Something went wrong on the server; the error was logged. Try again, and report it if it persists."));
}
