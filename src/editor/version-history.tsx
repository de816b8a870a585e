"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { formatRelative } from "./format";
import { fromPipelineGraph } from "./graph";
import { useEditor, useEditorStore } from "./store-context";

/** Saved versions, newest first, each restorable as unsaved changes. */
export function VersionHistory({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const store = useEditorStore();
  const pipelineId = useEditor((s) => s.pipelineId);
  const baseVersion = useEditor((s) => s.baseVersion);
  const versions = useQuery(trpc.pipelines.versions.queryOptions({ id: pipelineId }));
  const [restoring, setRestoring] = useState<number | null>(null);

  const restore = async (version: number) => {
    setRestoring(version);
    try {
      const pinned = await queryClient.fetchQuery(trpc.pipelines.get.queryOptions({ id: pipelineId, version }));
      store.getState().load(fromPipelineGraph(pinned.graph), { dirty: true, keepHistory: true });
      store.getState().notify(`Version ${version} is on the canvas as unsaved changes: save to make it the latest version.`, "info");
      onDone();
    } catch (error) {
      store.getState().notify(`Could not load version ${version}: ${(error as Error).message}`);
    } finally {
      setRestoring(null);
    }
  };

  if (versions.isPending) {
    return (
      <div className="space-y-2 p-3" aria-busy="true" aria-label="Loading versions">
        {[0, 1, 2].map((i) => (
          <div key={i} className="h-9 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />
        ))}
      </div>
    );
  }
  if (versions.error) return <p className="p-3 text-sm text-red-700 dark:text-red-300">Could not load the versions: {versions.error.message}</p>;
  return (
    <ol aria-label="Versions" className="max-h-80 divide-y divide-slate-100 dark:divide-slate-800 overflow-y-auto">
      {versions.data.map((v) => (
        <li key={v.number} className="flex items-center gap-3 px-3 py-2">
          <span className="w-10 font-mono text-sm text-slate-700 dark:text-slate-300">v{v.number}</span>
          <span className="min-w-0 flex-1 text-xs text-slate-500 dark:text-slate-400">
            <span className="text-slate-700 dark:text-slate-300">{v.createdBy}</span> ·{" "}
            <time dateTime={v.createdAt.toISOString()} title={v.createdAt.toLocaleString()}>
              {formatRelative(v.createdAt)}
            </time>
            {v.number === baseVersion ? <span className="ml-1 rounded bg-sky-50 dark:bg-sky-950/50 px-1 text-sky-700 dark:text-sky-300">open</span> : null}
          </span>
          <button
            type="button"
            disabled={restoring !== null}
            onClick={() => void restore(v.number)}
            aria-label={`Restore version ${v.number}`}
            className="rounded border border-slate-300 dark:border-slate-600 px-2 py-0.5 text-xs text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800 disabled:opacity-50"
          >
            {restoring === v.number ? "Loading…" : "Restore"}
          </button>
        </li>
      ))}
    </ol>
  );
}
