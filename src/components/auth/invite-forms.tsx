"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import { buttonStyles } from "../page-header";
import { Field, FormError, inputStyles } from "./auth-card";
import { useHydrated } from "./use-hydrated";
import { formErrorMessage, signIn } from "./sign-in";

/** A signed-in user joins the workspace with the account they have. */
export function JoinButton({ secret, who }: { secret: string; who: string }) {
  const trpc = useTRPC();
  const accept = useMutation(trpc.invitations.accept.mutationOptions());
  const hydrated = useHydrated();
  return (
    <div className="space-y-3">
      <FormError message={accept.error ? formErrorMessage(accept.error) : null} />
      <button
        type="button"
        className={`${buttonStyles.primary} w-full justify-center`}
        disabled={!hydrated || accept.isPending}
        onClick={() => void accept.mutateAsync({ secret }).then(() => window.location.assign("/pipelines"), () => undefined)}
      >
        {accept.isPending ? "Joining…" : `Join as ${who}`}
      </button>
    </div>
  );
}

/** Someone new creates their account from the invitation, then is signed in. */
export function InviteForm({ secret }: { secret: string }) {
  const hydrated = useHydrated();
  const trpc = useTRPC();
  const accept = useMutation(trpc.invitations.acceptAsNewUser.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const email = String(data.get("email") ?? "");
    const password = String(data.get("password") ?? "");
    if (password !== data.get("confirm")) {
      setError("The two passwords differ.");
      return;
    }
    setError(null);
    try {
      await accept.mutateAsync({ secret, account: { name: String(data.get("name") ?? ""), email, password } });
    } catch (caught) {
      setError(formErrorMessage(caught));
      return;
    }
    const problem = await signIn(email, password);
    if (problem) setError(problem);
    else window.location.assign("/pipelines");
  }
  return (
    <form method="post" onSubmit={submit} className="space-y-4">
      <FormError message={error} />
      <Field label="Your name">
        <input name="name" autoComplete="name" required maxLength={200} className={inputStyles} />
      </Field>
      <Field label="Email">
        <input name="email" type="email" autoComplete="username" required className={inputStyles} />
      </Field>
      <Field label="Password" hint="At least 12 characters, and not one of the commonly used passwords.">
        <input name="password" type="password" autoComplete="new-password" required minLength={12} className={inputStyles} />
      </Field>
      <Field label="Password again">
        <input name="confirm" type="password" autoComplete="new-password" required minLength={12} className={inputStyles} />
      </Field>
      <button type="submit" className={`${buttonStyles.primary} w-full justify-center`} disabled={!hydrated || accept.isPending}>
        {accept.isPending ? "Creating your account…" : "Create account and join"}
      </button>
    </form>
  );
}
