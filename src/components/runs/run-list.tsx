"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { EmptyState } from "../empty-state";
import { ErrorState } from "../error-state";
import { durationMs, formatCount, formatDateTime, formatDuration } from "../format";
import { RunIcon } from "../icons";
import { buttonStyles } from "../page-header";
import { RelativeTime } from "../relative-time";
import { TableSkeleton } from "../skeleton";
import { isActiveStatus, isRunStatus, RUN_STATUSES, STATUS_STYLES, StatusBadge } from "../status-badge";
import { errorMessage } from "../trpc-error";
import { RunActions } from "./run-actions";
import { hasFilters, parseRunFilters, runFiltersToInput, runFiltersToSearch, type RunFilters } from "./run-filters";
import { TRIGGER_LABELS } from "./trigger";

const PAGE_SIZE = 25;
/** Queued and running runs change by the second; finished ones never do. */
const REFRESH_MS = 2_000;

const fieldStyles = "rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2.5 py-1.5 text-sm text-slate-900 dark:text-slate-100 shadow-sm";

export function RunList() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const search = searchParams.toString();
  const { filters, problems } = useMemo(() => parseRunFilters(new URLSearchParams(search)), [search]);
  const input = useMemo(() => ({ ...runFiltersToInput(filters), limit: PAGE_SIZE }), [filters]);

  const runs = useInfiniteQuery(
    trpc.runs.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor ?? null,
      refetchInterval: (query) =>
        query.state.data?.pages.some((page) => page.runs.some((run) => isActiveStatus(run.status))) ? REFRESH_MS : false,
    }),
  );

  function applyFilters(next: RunFilters) {
    router.replace(`${pathname}${runFiltersToSearch(next)}`, { scroll: false });
  }

  const rows = runs.data?.pages.flatMap((page) => page.runs) ?? [];
  const refreshing = rows.some((run) => isActiveStatus(run.status));

  return (
    <div className="flex flex-col gap-4">
      <RunFilterBar filters={filters} onChange={applyFilters} />
      {problems.length > 0 ? (
        <ul role="status" className="list-disc rounded-md border border-amber-200 dark:border-amber-800 bg-amber-50 dark:bg-amber-950/50 px-8 py-2 text-sm text-amber-900 dark:text-amber-200">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      {runs.isPending ? (
        <TableSkeleton label="Loading runs" />
      ) : !runs.data ? (
        <ErrorState title="The runs could not be loaded" message={errorMessage(runs.error)} onRetry={() => void runs.refetch()} />
      ) : rows.length === 0 ? (
        hasFilters(filters) ? (
          <EmptyState
            title="No runs match these filters"
            actions={
              <button type="button" className={buttonStyles.secondary} onClick={() => applyFilters({})}>
                Clear filters
              </button>
            }
          >
            <p>Try another status or a wider date range.</p>
          </EmptyState>
        ) : (
          <EmptyState
            icon={<RunIcon className="size-6" />}
            title="No runs yet"
            actions={
              <Link href="/pipelines" className={buttonStyles.primary}>
                Go to pipelines
              </Link>
            }
          >
            <p>
              A run executes one saved version of a pipeline. Open a pipeline and press <strong>Run</strong>; runs also start from the
              REST API, a webhook, or a re-ingest of fixed quarantined records. Each one appears here with its status, duration and
              the rows it loaded and rejected.
            </p>
          </EmptyState>
        )
      ) : (
        <>
          <RunTable runs={rows} />
          <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600 dark:text-slate-300">
            <p aria-live="polite">
              Showing {rows.length} {rows.length === 1 ? "run" : "runs"}
              {refreshing ? " · refreshing while runs are in progress" : ""}
            </p>
            {runs.hasNextPage ? (
              <button
                type="button"
                className={buttonStyles.secondary}
                disabled={runs.isFetchingNextPage}
                onClick={() => void runs.fetchNextPage()}
              >
                {runs.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            ) : null}
          </div>
          {runs.isError ? (
            <ErrorState
              title={runs.isFetchNextPageError ? "More runs could not be loaded" : "The list could not be refreshed"}
              message={errorMessage(runs.error)}
              onRetry={() => void (runs.isFetchNextPageError ? runs.fetchNextPage() : runs.refetch())}
            />
          ) : null}
        </>
      )}
    </div>
  );
}

function RunFilterBar({ filters, onChange }: { filters: RunFilters; onChange: (next: RunFilters) => void }) {
  const trpc = useTRPC();
  const pipelines = useQuery(trpc.pipelines.list.queryOptions());
  // A pipeline in the URL that is not in the list (deleted, or not loaded yet) still shows as selected.
  const knownPipeline = !filters.pipelineId || pipelines.data?.some((p) => p.id === filters.pipelineId);
  const set = (patch: Partial<RunFilters>) => {
    const next = { ...filters, ...patch };
    for (const key of Object.keys(patch) as (keyof RunFilters)[]) if (!next[key]) delete next[key];
    onChange(next);
  };

  return (
    <form
      aria-label="Filter runs"
      className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-3 shadow-sm"
      onSubmit={(event) => event.preventDefault()}
    >
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        Pipeline
        <select
          className={`${fieldStyles} min-w-48`}
          value={filters.pipelineId ?? ""}
          onChange={(event) => set({ pipelineId: event.target.value || undefined })}
        >
          <option value="">All pipelines</option>
          {pipelines.data?.map((pipeline) => (
            <option key={pipeline.id} value={pipeline.id}>
              {pipeline.name}
            </option>
          ))}
          {!knownPipeline && filters.pipelineId ? (
            <option value={filters.pipelineId}>{pipelines.isPending ? "Loading pipelines…" : "Unknown pipeline"}</option>
          ) : null}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        Status
        <select
          className={fieldStyles}
          value={filters.status ?? ""}
          onChange={(event) => set({ status: isRunStatus(event.target.value) ? event.target.value : undefined })}
        >
          <option value="">Any status</option>
          {RUN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_STYLES[status].label}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        From
        <input
          type="date"
          className={fieldStyles}
          value={filters.from ?? ""}
          max={filters.to}
          onChange={(event) => set({ from: event.target.value || undefined })}
        />
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        To
        <input
          type="date"
          className={fieldStyles}
          value={filters.to ?? ""}
          min={filters.from}
          onChange={(event) => set({ to: event.target.value || undefined })}
        />
      </label>
      {hasFilters(filters) ? (
        <button type="button" className={`${buttonStyles.link} mb-2 text-sm`} onClick={() => onChange({})}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}

type RunRow = RouterOutputs["runs"]["list"]["runs"][number];

function RunTable({ runs }: { runs: RunRow[] }) {
  const now = new Date();
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 shadow-sm">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Runs, newest first</caption>
        <thead className="border-b border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-950 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-4 py-3">
              Run
            </th>
            <th scope="col" className="px-4 py-3">
              Pipeline
            </th>
            <th scope="col" className="px-4 py-3">
              Status
            </th>
            <th scope="col" className="px-4 py-3">
              Trigger
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              Duration
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              Loaded
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              Rejected
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {runs.map((run) => (
            <tr key={run.id} className="hover:bg-slate-50 dark:hover:bg-slate-800">
              <td className="px-4 py-2.5">
                <Link href={`/runs/${run.id}`} className="font-medium text-sky-800 dark:text-sky-200 underline-offset-2 hover:underline">
                  {formatDateTime(run.createdAt)}
                </Link>
                <div className="text-xs text-slate-500 dark:text-slate-400">
                  <RelativeTime date={run.createdAt} now={now} />
                </div>
              </td>
              <td className="px-4 py-2.5">
                <Link href={`/pipelines/${run.pipelineId}`} className="text-slate-800 dark:text-slate-200 underline-offset-2 hover:underline">
                  {run.pipelineName}
                </Link>{" "}
                <span className="text-xs text-slate-500 dark:text-slate-400">v{run.version}</span>
              </td>
              <td className="px-4 py-2.5">
                <div className="flex flex-col items-start gap-1.5">
                  <StatusBadge status={run.status} />
                  <RunActions runId={run.id} status={run.status} compact />
                </div>
              </td>
              <td className="px-4 py-2.5 text-slate-600 dark:text-slate-300">{TRIGGER_LABELS[run.trigger]}</td>
              <td className="px-4 py-2.5 text-right tabular-nums text-slate-700 dark:text-slate-300">
                {formatDuration(durationMs(run.startedAt, run.finishedAt, now))}
              </td>
              <td className="px-4 py-2.5 text-right tabular-nums text-slate-700 dark:text-slate-300">{formatCount(run.rowsLoaded)}</td>
              <td className={`px-4 py-2.5 text-right tabular-nums ${run.rowsRejected > 0n ? "font-medium text-rose-700 dark:text-rose-300" : "text-slate-700 dark:text-slate-300"}`}>
                {formatCount(run.rowsRejected)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
