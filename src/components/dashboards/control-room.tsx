"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { EmptyState } from "../empty-state";
import { ErrorState } from "../error-state";
import { formatCount } from "../format";
import { DashboardIcon } from "../icons";
import { buttonStyles } from "../page-header";
import { RelativeTime } from "../relative-time";
import { TableSkeleton } from "../skeleton";
import { StatusBadge } from "../status-badge";
import { errorMessage } from "../trpc-error";

type TPipelineHealth = RouterOutputs["dashboards"]["controlRoom"][number];

/** A wall screen should show a run finishing within seconds. */
const REFRESH_MS = 3_000;

export const HEALTH_STYLES: Record<TPipelineHealth["health"], { label: string; badge: string; stripe: string }> = {
  failing: { label: "Failing", badge: "bg-rose-50 text-rose-800 ring-rose-300 dark:bg-rose-950 dark:text-rose-200 dark:ring-rose-700", stripe: "bg-rose-500" },
  late: { label: "Late", badge: "bg-amber-50 text-amber-800 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-700", stripe: "bg-amber-400" },
  drifting: { label: "Drifting", badge: "bg-violet-50 text-violet-800 ring-violet-300 dark:bg-violet-950 dark:text-violet-200 dark:ring-violet-700", stripe: "bg-violet-500" },
  healthy: { label: "Healthy", badge: "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-700", stripe: "bg-emerald-500" },
};

export function ControlRoom() {
  const trpc = useTRPC();
  const pipelines = useQuery(trpc.dashboards.controlRoom.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const wall = useRef<HTMLDivElement>(null);
  const [fullScreen, setFullScreen] = useState(false);

  useEffect(() => {
    const onChange = () => setFullScreen(document.fullscreenElement === wall.current && wall.current !== null);
    document.addEventListener("fullscreenchange", onChange);
    return () => document.removeEventListener("fullscreenchange", onChange);
  }, []);

  if (pipelines.isPending) return <TableSkeleton label="Loading the control room" />;
  if (!pipelines.data) return <ErrorState title="The control room could not be loaded" message={errorMessage(pipelines.error)} onRetry={() => void pipelines.refetch()} />;
  if (pipelines.data.length === 0)
    return (
      <EmptyState
        icon={<DashboardIcon className="size-6" />}
        title="No pipelines yet"
        actions={
          <Link href="/pipelines" className={buttonStyles.primary}>
            Go to pipelines
          </Link>
        }
      >
        <p>The control room shows every pipeline&apos;s health once there are pipelines: failing, late, drifting or healthy, worst first.</p>
      </EmptyState>
    );

  const counts = Object.fromEntries(Object.keys(HEALTH_STYLES).map((h) => [h, pipelines.data.filter((p) => p.health === h).length])) as Record<TPipelineHealth["health"], number>;

  return (
    <div ref={wall} className={`flex flex-col gap-4 ${fullScreen ? "dark overflow-auto bg-slate-950 p-8 text-slate-100" : ""}`}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <ul aria-label="Pipelines by health" className="flex flex-wrap gap-2 text-sm">
          {(Object.keys(HEALTH_STYLES) as TPipelineHealth["health"][]).map((h) => (
            <li key={h} className={`rounded-full px-3 py-1 font-medium ring-1 ring-inset ${HEALTH_STYLES[h].badge}`}>
              {counts[h]} {HEALTH_STYLES[h].label.toLowerCase()}
            </li>
          ))}
        </ul>
        <div className="flex items-center gap-3 text-xs text-slate-500 dark:text-slate-400">
          <span aria-live="polite">{pipelines.isError ? `Not refreshed: ${errorMessage(pipelines.error)}` : `Live · updated ${new Date(pipelines.dataUpdatedAt).toLocaleTimeString("en-GB")}`}</span>
          <button
            type="button"
            className={`${buttonStyles.secondary} dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800`}
            onClick={() => void (fullScreen ? document.exitFullscreen() : wall.current?.requestFullscreen())}
          >
            {fullScreen ? "Exit full screen" : "Full screen"}
          </button>
        </div>
      </div>
      <ul className={`grid gap-3 ${fullScreen ? "grid-cols-2 xl:grid-cols-3" : "grid-cols-1 md:grid-cols-2 xl:grid-cols-3"}`} aria-label="Pipelines, worst first">
        {pipelines.data.map((p) => (
          <li key={p.id}>
            <PipelineTile pipeline={p} large={fullScreen} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function PipelineTile({ pipeline: p, large }: { pipeline: TPipelineHealth; large: boolean }) {
  const style = HEALTH_STYLES[p.health];
  return (
    <Link
      href={`/dashboards/${p.id}`}
      className="relative flex h-full flex-col gap-3 overflow-hidden rounded-lg border border-slate-200 bg-white p-4 pl-5 shadow-sm hover:border-sky-300 dark:border-slate-700 dark:bg-slate-900 dark:hover:border-sky-700"
      aria-label={`${p.name}: ${style.label}. ${p.reason}`}
      data-health={p.health}
    >
      <span aria-hidden className={`absolute inset-y-0 left-0 w-1.5 ${style.stripe}`} />
      <div className="flex items-start justify-between gap-2">
        <h2 className={`min-w-0 truncate font-semibold text-slate-900 dark:text-slate-100 ${large ? "text-xl" : "text-base"}`}>{p.name}</h2>
        <span className={`shrink-0 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${style.badge}`}>{style.label}</span>
      </div>
      <p className="line-clamp-2 text-xs text-slate-600 dark:text-slate-300">
        {p.running ? "Running now · " : ""}
        {p.reason}
      </p>
      <dl className="mt-auto grid grid-cols-2 gap-x-4 gap-y-3 text-xs">
        <div>
          <dt className="text-slate-500 dark:text-slate-400">Last run</dt>
          <dd className="mt-0.5 flex flex-wrap items-center gap-1.5 text-slate-800 dark:text-slate-200">
            {p.lastRun ? (
              <>
                <StatusBadge status={p.lastRun.status} />
                <RelativeTime date={p.lastRun.finishedAt} />
              </>
            ) : (
              "None yet"
            )}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">Next run</dt>
          <dd className="mt-0.5 text-slate-800 dark:text-slate-200">{p.nextRunAt ? <RelativeTime date={p.nextRunAt} /> : "Not scheduled"}</dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">Success, 7 days</dt>
          <dd className={`mt-0.5 font-semibold tabular-nums text-slate-900 dark:text-slate-100 ${large ? "text-2xl" : "text-lg"}`}>
            {p.successRate7d === null ? "—" : `${p.successRate7d}%`}
          </dd>
          <dd className="text-slate-500 dark:text-slate-400">{p.runs7d} runs</dd>
        </div>
        <div>
          <dt className="text-slate-500 dark:text-slate-400">Open quarantine</dt>
          <dd className={`mt-0.5 font-semibold tabular-nums text-slate-900 dark:text-slate-100 ${large ? "text-2xl" : "text-lg"}`}>{formatCount(p.openQuarantine)}</dd>
        </div>
      </dl>
    </Link>
  );
}
