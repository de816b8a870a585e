"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RunStatus } from "@/generated/prisma/enums";
import { useTRPC } from "@/trpc/react";
import { useCan } from "../caller-context";
import { isActiveStatus } from "../status-badge";
import { errorMessage } from "../trpc-error";

const small = "rounded-md border px-2.5 py-1 text-xs font-medium disabled:opacity-60";
const regular = "rounded-md border px-3.5 py-2 text-sm font-medium shadow-sm disabled:opacity-60";

/**
 * Cancel for a queued or running run (after a confirmation), Retry failed nodes for a
 * failed one. Editors and owners only: viewers see nothing, as the server would refuse them.
 */
export function RunActions({ runId, status, compact = false }: { runId: string; status: RunStatus; compact?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan("editor");
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const retry = useMutation(trpc.runs.retryFailed.mutationOptions());
  if (!canEdit) return null;
  const active = isActiveStatus(status);
  if (!active && status !== "failed") return null;
  const size = compact ? small : regular;
  // The run page and the runs list follow the run again from the answer: a retried run is running anew.
  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: runId }) }), queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() })]);
  const failure = cancel.error ?? retry.error;

  return (
    <div role="group" aria-label="Run actions" className="inline-flex flex-wrap items-center gap-2">
      {active ? (
        confirming ? (
          <>
            <span className="text-xs text-slate-700 dark:text-slate-300">Stop this run? Its unfinished nodes keep nothing.</span>
            <button
              type="button"
              disabled={cancel.isPending}
              onClick={() => void cancel.mutateAsync({ id: runId }).then(() => { setConfirming(false); return refresh(); }, () => undefined)}
              className={`${size} border-red-700 bg-red-700 text-white hover:bg-red-800`}
            >
              {cancel.isPending ? "Canceling…" : "Yes, cancel the run"}
            </button>
            <button type="button" onClick={() => setConfirming(false)} className={`${size} border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800`}>
              Keep running
            </button>
          </>
        ) : (
          <button type="button" onClick={() => { cancel.reset(); setConfirming(true); }} className={`${size} border-red-200 dark:border-red-800 bg-white dark:bg-slate-900 text-red-700 dark:text-red-300 hover:bg-red-50 dark:hover:bg-red-950/50`}>
            Cancel run
          </button>
        )
      ) : (
        <button
          type="button"
          disabled={retry.isPending}
          onClick={() => void retry.mutateAsync({ id: runId }).then(refresh, () => undefined)}
          className={`${size} border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 text-slate-800 dark:text-slate-200 hover:bg-slate-50 dark:hover:bg-slate-800`}
        >
          {retry.isPending ? "Retrying…" : "Retry failed nodes"}
        </button>
      )}
      {failure ? (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          {errorMessage(failure)}
        </span>
      ) : null}
    </div>
  );
}
