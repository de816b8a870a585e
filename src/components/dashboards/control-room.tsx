"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { useCan } from "../caller-context";
import { EmptyState } from "../empty-state";
import { ErrorState } from "../error-state";
import { formatCount } from "../format";
import { DashboardIcon } from "../icons";
import { buttonStyles } from "../page-header";
import { RelativeTime } from "../relative-time";
import { TableSkeleton } from "../skeleton";
import { StatusBadge } from "../status-badge";
import { errorMessage } from "../trpc-error";
import { SharePanel } from "./share-panel";
import { DashboardHeader } from "./surface";

type TPipelineHealth = RouterOutputs["dashboards"]["controlRoom"][number];

/**
 * What a tile shows. A shared control room's pipelines have no id: nothing on a shared page
 * names a thing of the workspace that could be tried elsewhere, and its tiles link nowhere.
 */
export type TControlRoomTile = Omit<TPipelineHealth, "id" | "freshness" | "lastRun"> & {
  id?: string;
  lastRun: Omit<NonNullable<TPipelineHealth["lastRun"]>, "id"> | null;
};

/** A wall screen should show a run finishing within seconds. */
export const CONTROL_ROOM_REFRESH_MS = 3_000;

export const HEALTH_STYLES: Record<TPipelineHealth["health"], { label: string; badge: string; stripe: string }> = {
  failing: { label: "Failing", badge: "bg-rose-50 text-rose-800 ring-rose-300 dark:bg-rose-950 dark:text-rose-200 dark:ring-rose-700", stripe: "bg-rose-500" },
  late: { label: "Late", badge: "bg-amber-50 text-amber-800 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-700", stripe: "bg-amber-400" },
  drifting: { label: "Drifting", badge: "bg-violet-50 text-violet-800 ring-violet-300 dark:bg-violet-950 dark:text-violet-200 dark:ring-violet-700", stripe: "bg-violet-500" },
  healthy: { label: "Healthy", badge: "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-700", stripe: "bg-emerald-500" },
};

/** The signed-in control room: its header, the share panel for editors, and the live tiles. */
export function ControlRoomPage() {
  const canShare = useCan("editor");
  const [sharing, setSharing] = useState(false);
  return (
    <>
      <DashboardHeader
        title="Control room"
        description="Every pipeline's health, worst first, updated every few seconds. Open a pipeline for its run dashboard; full screen suits a wall screen."
        actions={
          canShare ? (
            <button
              type="button"
              aria-expanded={sharing}
              className={`${buttonStyles.secondary} dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800`}
              onClick={() => setSharing((v) => !v)}
            >
              Share
            </button>
          ) : null
        }
      />
      {sharing ? <SharePanel pipelineId={null} /> : null}
      <ControlRoom />
    </>
  );
}

function ControlRoom() {
  const trpc = useTRPC();
  const pipelines = useQuery(trpc.dashboards.controlRoom.queryOptions(undefined, { refetchInterval: CONTROL_ROOM_REFRESH_MS }));

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

  const status = pipelines.isError ? `Not refreshed: ${errorMessage(pipelines.error)}` : `Live · updated ${new Date(pipelines.dataUpdatedAt).toLocaleTimeString("en-GB")}`;
  return <ControlRoomWall pipelines={pipelines.data} status={status} links />;
}

/** The tiles, worst first, with counts by health and a full-screen switch for wall screens; `links` makes each tile open its dashboard. */
export function ControlRoomWall({ pipelines, status, links }: { pipelines: TControlRoomTile[]; status: string; links: boolean }) {
  const wall = useRef<HTMLDivElement>(null);
  const [fullScreen, setFullScreen] = useState(false);

  useEffect(() => {
    const onChange = () => setFullScreen(document.fullscreenElement === wall.current && wall.current !== null);
    document.addEventListener("fullscreenchange", onChange);
    return () => document.removeEventListener("fullscreenchange", onChange);
  }, []);

  const counts = Object.fromEntries(Object.keys(HEALTH_STYLES).map((h) => [h, pipelines.filter((p) => p.health === h).length])) as Record<TPipelineHealth["health"], number>;

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
          <span aria-live="polite">{status}</span>
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
        {pipelines.map((p, index) => (
          <li key={p.id ?? `${index}:${p.name}`}>
            <PipelineTile pipeline={p} large={fullScreen} href={links && p.id ? `/dashboards/${p.id}` : null} />
          </li>
        ))}
      </ul>
    </div>
  );
}

const TILE_STYLES = "relative flex h-full flex-col gap-3 overflow-hidden rounded-lg border border-slate-200 bg-white p-4 pl-5 shadow-sm dark:border-slate-700 dark:bg-slate-900";

function PipelineTile({ pipeline: p, large, href }: { pipeline: TControlRoomTile; large: boolean; href: string | null }) {
  const style = HEALTH_STYLES[p.health];
  const label = `${p.name}: ${style.label}. ${p.reason}`;
  const body = (
    <>
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
    </>
  );
  return href ? (
    <Link href={href} className={`${TILE_STYLES} hover:border-sky-300 dark:hover:border-sky-700`} aria-label={label} data-health={p.health}>
      {body}
    </Link>
  ) : (
    <article className={TILE_STYLES} aria-label={label} data-health={p.health}>
      {body}
    </article>
  );
}
