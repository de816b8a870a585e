"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import { buttonStyles } from "../page-header";
import { Field, FormError, inputStyles } from "./auth-card";
import { useHydrated } from "./use-hydrated";
import { formErrorMessage, signIn } from "./sign-in";

export function SetupForm() {
  const hydrated = useHydrated();
  const trpc = useTRPC();
  const createOwner = useMutation(trpc.setup.createOwner.mutationOptions());
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
      await createOwner.mutateAsync({ name: String(data.get("name") ?? ""), email, password });
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
      <button type="submit" className={`${buttonStyles.primary} w-full justify-center`} disabled={!hydrated || createOwner.isPending}>
        {createOwner.isPending ? "Creating the owner…" : "Create owner and sign in"}
      </button>
    </form>
  );
}
