"use client";

import { useState, type FormEvent } from "react";
import { buttonStyles } from "../page-header";
import { Field, FormError, inputStyles } from "./auth-card";
import { useHydrated } from "./use-hydrated";

export function ResetPasswordForm({ token }: { token: string }) {
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const newPassword = String(data.get("password") ?? "");
    if (newPassword !== data.get("confirm")) {
      setError("The two passwords differ.");
      return;
    }
    setPending(true);
    setError(null);
    const response = await fetch("/api/auth/reset-password", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ newPassword, token }),
    });
    if (response.ok) {
      window.location.assign("/sign-in?reset=1");
      return;
    }
    const body: unknown = await response.json().catch(() => null);
    const code = typeof body === "object" && body !== null && "code" in body ? body.code : null;
    const message = typeof body === "object" && body !== null && "message" in body && typeof body.message === "string" ? body.message : null;
    setError(code === "INVALID_TOKEN" ? "This link was used already or has expired. Ask for a new one." : (message ?? `Setting the password failed (HTTP ${response.status}).`));
    setPending(false);
  }
  return (
    <form method="post" onSubmit={submit} className="space-y-4">
      <FormError message={error} />
      <Field label="New password" hint="At least 12 characters, and not one of the commonly used passwords.">
        <input name="password" type="password" autoComplete="new-password" required minLength={12} className={inputStyles} />
      </Field>
      <Field label="New password again">
        <input name="confirm" type="password" autoComplete="new-password" required minLength={12} className={inputStyles} />
      </Field>
      <button type="submit" className={`${buttonStyles.primary} w-full justify-center`} disabled={!hydrated || pending}>
        {pending ? "Saving…" : "Set password"}
      </button>
    </form>
  );
}
