"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC } from "@/trpc/react";
import { RunParamsDialog } from "./params/run-params-dialog";
import type { RunView, TRunStatus } from "./store";
import { useEditor, useEditorStore } from "./store-context";

const POLL_MS = 1000;
const ACTIVE: readonly TRunStatus[] = ["queued", "running"];

const BADGE: Record<TRunStatus, string> = {
  queued: "bg-slate-100 dark:bg-slate-800 text-slate-700 dark:text-slate-300",
  running: "bg-sky-100 dark:bg-sky-900 text-sky-800 dark:text-sky-200",
  succeeded: "bg-emerald-100 dark:bg-emerald-900 text-emerald-800 dark:text-emerald-200",
  failed: "bg-red-100 dark:bg-red-900 text-red-800 dark:text-red-200",
  skipped: "bg-slate-100 dark:bg-slate-800 text-slate-600 dark:text-slate-300",
  canceled: "bg-slate-100 dark:bg-slate-800 text-slate-600 dark:text-slate-300",
};

/**
 * The Run button (saves first when there are unsaved changes) and the live status of the
 * run it started: polled until it ends, shown on every node and linked to the run page.
 */
export function RunControl({ save }: { save: () => Promise<boolean> }) {
  const trpc = useTRPC();
  const store = useEditorStore();
  const pipelineId = useEditor((s) => s.pipelineId);
  const run = useEditor((s) => s.run);
  const [runId, setRunId] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const declared = useEditor((s) => s.params);
  const start = useMutation(trpc.runs.start.mutationOptions());

  const polled = useQuery(
    trpc.runs.get.queryOptions(
      { id: runId ?? "" },
      {
        enabled: runId !== null,
        refetchInterval: (query) => (query.state.data && !ACTIVE.includes(query.state.data.status) ? false : POLL_MS),
        staleTime: 0,
      },
    ),
  );

  useEffect(() => {
    const data = polled.data;
    if (!data) return;
    const view: RunView = {
      id: data.id,
      status: data.status,
      error: data.error,
      nodes: Object.fromEntries(
        data.nodes.map((n) => [
          n.nodeId,
          { status: n.status, rowsIn: n.rowsIn, rowsOut: n.rowsOut, rowsRejected: n.rowsRejected, rowsTotal: n.rowsTotal, error: n.error },
        ]),
      ),
    };
    store.getState().setRun(view);
  }, [polled.data, store]);

  const begin = async (params?: Record<string, string | boolean>) => {
    const { runId: id } = await start.mutateAsync({ pipelineId, ...(params ? { params } : {}) });
    store.getState().setRun({ id, status: "queued", error: null, nodes: {} });
    setRunId(id);
  };

  const onRun = async () => {
    if (store.getState().dirty && !(await save())) return;
    // Saved first, so the form asks for what the version that runs declares.
    if (store.getState().params?.length) {
      start.reset();
      setAsking(true);
      return;
    }
    try {
      await begin();
    } catch (error) {
      store.getState().notify(`Could not start the run: ${(error as Error).message}`);
    }
  };

  const active = run !== null && ACTIVE.includes(run.status);
  return (
    <>
      <button
        type="button"
        onClick={() => void onRun()}
        disabled={start.isPending || active}
        title={declared?.length ? "Save if needed, then choose the parameters and run" : "Save if needed, then run the pipeline"}
        className="ml-2 flex items-center gap-1.5 rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-sky-800 disabled:opacity-60"
      >
        <span aria-hidden>▶</span> {start.isPending ? "Starting…" : active ? "Running…" : declared?.length ? "Run…" : "Run"}
      </button>
      {asking && declared ? (
        <RunParamsDialog
          params={declared}
          pending={start.isPending}
          error={start.error ? errorMessage(start.error) : null}
          onClose={() => setAsking(false)}
          onRun={(params) => {
            // A refusal stays in the dialog, next to the values it is about.
            void begin(params).then(() => setAsking(false), () => undefined);
          }}
        />
      ) : null}
      {run ? (
        <span className="ml-2 flex items-center gap-1.5 text-xs whitespace-nowrap">
          <span role="status" aria-label="Run status" className={`rounded px-1.5 py-0.5 font-medium ${BADGE[run.status]}`}>
            {run.status}
          </span>
          <Link href={`/runs/${run.id}`} className="text-sky-700 dark:text-sky-300 underline-offset-2 hover:underline">
            Open run
          </Link>
        </span>
      ) : null}
    </>
  );
}
