"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { useCan } from "../caller-context";
import { ErrorState } from "../error-state";
import { TableSkeleton } from "../skeleton";
import { errorMessage } from "../trpc-error";
import { PipelineDashboard } from "./pipeline-dashboard";
import { parseRange, RANGES, rangeInput } from "./ranges";
import { SharePanel } from "./share-panel";
import { DashboardHeader } from "./surface";

/** Finished runs arrive while the page is open; their figures are one small row each. */
const REFRESH_MS = 10_000;

export function PipelineDashboardPage({ pipelineId }: { pipelineId: string }) {
  const trpc = useTRPC();
  const range = parseRange(useSearchParams().get("range"));
  // The range's end moves on once a minute (not on every render), so polls share one query key.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const input = useMemo(() => ({ pipelineId, ...rangeInput(range, now) }), [pipelineId, range, now]);
  const canShare = useCan("editor");
  const [sharing, setSharing] = useState(false);
  const dashboard = useQuery(trpc.dashboards.pipeline.queryOptions(input, { refetchInterval: REFRESH_MS, placeholderData: keepPreviousData }));

  return (
    <>
      <DashboardHeader
        title={dashboard.data?.pipeline.name ?? "Pipeline dashboard"}
        description="How this pipeline's runs went: rows, rejects, durations, freshness and quarantine. Every chart links to the runs and records behind it."
        actions={
          <>
            <nav aria-label="Time range" className="flex rounded-md border border-slate-300 bg-white p-0.5 text-sm shadow-sm dark:border-slate-600 dark:bg-slate-900">
              {RANGES.map((r) => (
                <Link
                  key={r.key}
                  href={`?range=${r.key}`}
                  scroll={false}
                  aria-current={r.key === range ? "true" : undefined}
                  className={`rounded px-2.5 py-1 ${r.key === range ? "bg-sky-700 font-medium text-white" : "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"}`}
                >
                  {r.label}
                </Link>
              ))}
            </nav>
            {canShare ? (
              <button
                type="button"
                aria-expanded={sharing}
                className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800"
                onClick={() => setSharing((v) => !v)}
              >
                Share
              </button>
            ) : null}
            <Link href={`/pipelines/${pipelineId}`} className="text-sm font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
              Open in editor
            </Link>
          </>
        }
      />
      {sharing ? <SharePanel pipelineId={pipelineId} /> : null}
      {dashboard.isPending ? (
        <TableSkeleton label="Loading the dashboard" />
      ) : !dashboard.data ? (
        <ErrorState title="The dashboard could not be loaded" message={errorMessage(dashboard.error)} onRetry={() => void dashboard.refetch()} />
      ) : (
        <PipelineDashboard data={dashboard.data} links />
      )}
    </>
  );
}
