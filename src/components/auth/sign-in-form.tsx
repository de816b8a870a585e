"use client";

import { useState, type FormEvent } from "react";
import { buttonStyles } from "../page-header";
import { Field, FormError, inputStyles } from "./auth-card";
import { useHydrated } from "./use-hydrated";
import { signIn } from "./sign-in";

export function SignInForm({ next }: { next: string }) {
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const problem = await signIn(String(data.get("email") ?? ""), String(data.get("password") ?? ""));
    if (problem) {
      setError(problem);
      setPending(false);
      return;
    }
    // A full load: the app shell is rendered on the server for the signed-in user.
    window.location.assign(next);
  }
  return (
    <form method="post" onSubmit={submit} className="space-y-4">
      <FormError message={error} />
      <Field label="Email">
        <input name="email" type="email" autoComplete="username" required className={inputStyles} />
      </Field>
      <Field label="Password">
        <input name="password" type="password" autoComplete="current-password" required className={inputStyles} />
      </Field>
      <button type="submit" className={`${buttonStyles.primary} w-full justify-center`} disabled={!hydrated || pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Forgot your password? Ask the person who runs this Sluice for a reset link (<code className="font-mono">npm run sluice -- reset-password &lt;email&gt;</code>).
      </p>
    </form>
  );
}
