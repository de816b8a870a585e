"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorState } from "@/components/error-state";
import { buttonStyles } from "@/components/page-header";
import { Skeleton } from "@/components/skeleton";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC } from "@/trpc/react";

/** How many days runs, their quarantine and their lineage are kept. */
export function RetentionSetting() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.workspace.settings.queryOptions());
  const save = useMutation(
    trpc.workspace.setRetention.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.workspace.settings.queryKey() }),
    }),
  );
  const [draft, setDraft] = useState<string | null>(null);

  if (settings.isPending) return <Skeleton className="h-10 w-72" />;
  if (settings.isError) {
    return <ErrorState title="The retention setting could not be loaded" message={errorMessage(settings.error)} onRetry={() => void settings.refetch()} />;
  }
  const value = draft ?? String(settings.data.retentionDays);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate({ days: Number(value) }, { onSuccess: () => setDraft(null) });
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
      <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
        Keep runs for (days)
        <input
          type="number"
          min={1}
          max={3650}
          required
          value={value}
          onChange={(e) => setDraft(e.target.value)}
          className="w-32 rounded-md border border-slate-300 dark:border-slate-600 px-3 py-2 text-sm"
        />
      </label>
      <button type="submit" className={buttonStyles.primary} disabled={save.isPending || draft === null}>
        {save.isPending ? "Saving…" : "Save"}
      </button>
      <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
        {save.isError ? <span className="text-red-700 dark:text-red-300">{errorMessage(save.error)}</span> : save.isSuccess && draft === null ? "Saved." : null}
      </p>
    </form>
  );
}
