import { TRPCClientError } from "@trpc/client";

/** The message to show a person for a failed query or mutation (the server's own words when it sent some). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "The request failed without a message. Check that the Sluice server is running, then try again.";
}

/** The tRPC error code (NOT_FOUND, BAD_REQUEST, …) when the server sent one. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  if (typeof data === "object" && data !== null && "code" in data && typeof data.code === "string") return data.code;
  return undefined;
}
