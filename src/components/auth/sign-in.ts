import { TRPCClientError } from "@trpc/client";
import { errorMessage } from "../trpc-error";

/** Signs in through better-auth's endpoint; the session cookie comes back HTTP-only. Returns an error message or null. */
export async function signIn(email: string, password: string): Promise<string | null> {
  const response = await fetch("/api/auth/sign-in/email", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, rememberMe: true }),
  });
  if (response.ok) return null;
  if (response.status === 401 || response.status === 400) return "The email or password is wrong.";
  const body: unknown = await response.json().catch(() => null);
  const message = typeof body === "object" && body !== null && "message" in body && typeof body.message === "string" ? body.message : null;
  if (response.status === 429) return message ?? "Too many attempts. Wait a few minutes and try again.";
  return message ?? `Signing in failed (HTTP ${response.status}). Try again.`;
}

/** A failed tRPC call's message for a form: the first field problem when the input was refused, else the server's words. */
export function formErrorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (typeof data === "object" && data !== null && "zodError" in data) {
      const zod = data.zodError as { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null;
      const first = Object.values(zod?.fieldErrors ?? {}).flat()[0] ?? zod?.formErrors?.[0];
      if (first) return first;
    }
  }
  return errorMessage(error);
}
