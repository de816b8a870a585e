"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { useCaller } from "./caller-context";
import { errorMessage } from "./trpc-error";

const NEW_WORKSPACE = "__new__";

/** The signed-in user at the foot of the navigation: their workspace (switchable), role and sign-out. */
export function UserMenu() {
  const caller = useCaller();
  const trpc = useTRPC();
  const switchTo = useMutation(trpc.account.switchWorkspace.mutationOptions());
  const create = useMutation(trpc.account.createWorkspace.mutationOptions());
  const [leaving, setLeaving] = useState(false);
  if (!caller) return null;

  async function signOut() {
    setLeaving(true);
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    window.location.assign("/sign-in");
  }

  async function choose(value: string) {
    if (value === NEW_WORKSPACE) {
      const name = window.prompt("Name of the new workspace")?.trim();
      if (!name) return;
      await create.mutateAsync({ name });
    } else {
      await switchTo.mutateAsync({ workspaceId: value });
    }
    // Everything on screen belongs to the old workspace: start over in the new one.
    window.location.assign("/pipelines");
  }

  const failure = switchTo.error ?? create.error;
  return (
    <div className="mt-auto space-y-2 border-t border-slate-200 dark:border-slate-700 px-4 py-3 text-sm">
      <label className="block text-xs font-medium text-slate-500 dark:text-slate-400">
        Workspace
        <select
          value={caller.workspaceId ?? ""}
          onChange={(e) => void choose(e.target.value)}
          disabled={switchTo.isPending || create.isPending}
          className="mt-1 block w-full rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2 py-1.5 text-sm text-slate-800 dark:text-slate-200"
        >
          {caller.workspaceId === null ? <option value="">No workspace</option> : null}
          {caller.workspaces.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
          <option value={NEW_WORKSPACE}>New workspace…</option>
        </select>
      </label>
      {failure ? (
        <p role="alert" className="text-xs text-rose-700 dark:text-rose-300">
          {errorMessage(failure)}
        </p>
      ) : null}
      <div>
        <p className="truncate font-medium text-slate-800 dark:text-slate-200" title={caller.user.email}>
          {caller.user.name}
        </p>
        <p className="truncate text-xs text-slate-500 dark:text-slate-400">
          {caller.user.email}
          {caller.role ? ` · ${caller.role}` : ""}
        </p>
      </div>
      <button type="button" onClick={signOut} disabled={leaving} className="text-xs font-medium text-sky-700 dark:text-sky-300 hover:underline disabled:opacity-60">
        Sign out
      </button>
    </div>
  );
}
