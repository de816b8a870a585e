"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { ErrorState } from "@/components/error-state";
import { buttonStyles } from "@/components/page-header";
import { RelativeTime } from "@/components/relative-time";
import { TableSkeleton } from "@/components/skeleton";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { fieldStyles } from "@/components/field-styles";

type TEntry = RouterOutputs["alerts"]["history"][number];
type TDeliveryStatus = TEntry["status"];

const DELIVERY_STYLES: Record<TDeliveryStatus, { label: string; badge: string }> = {
  pending: { label: "Pending", badge: "bg-slate-100 dark:bg-slate-800 text-slate-700 dark:text-slate-300 ring-slate-300 dark:ring-slate-600" },
  sent: { label: "Sent", badge: "bg-emerald-50 dark:bg-emerald-950/50 text-emerald-800 dark:text-emerald-200 ring-emerald-300 dark:ring-emerald-700" },
  failed: { label: "Failed", badge: "bg-rose-50 dark:bg-rose-950/50 text-rose-800 dark:text-rose-200 ring-rose-300 dark:ring-rose-700" },
};
const EVENT_LABELS: Record<TEntry["event"], string> = { firing: "Fired", resolved: "Resolved", test: "Test" };

/** Deliveries go out from the worker shortly after a run finishes: the history looks again while the page is open. */
const REFRESH_MS = 5000;
const PAGE_SIZE = 50;

/** Sent alerts, newest first: which incident, which channel, and whether it got there (with the error when not). */
export function AlertHistory({ pipelineId }: { pipelineId: string | null }) {
  const trpc = useTRPC();
  const [status, setStatus] = useState<TDeliveryStatus | "">("");
  const history = useInfiniteQuery(
    trpc.alerts.history.infiniteQueryOptions(
      { ...(pipelineId ? { pipelineId } : {}), ...(status ? { status } : {}), limit: PAGE_SIZE },
      { getNextPageParam: (page) => (page.length === PAGE_SIZE ? page.at(-1)!.id : null), refetchInterval: REFRESH_MS },
    ),
  );
  const entries = history.data?.pages.flat() ?? [];

  return (
    <div className="space-y-3">
      <label className={`${fieldStyles.label} w-48`}>
        Delivery status
        <select value={status} onChange={(e) => setStatus(e.target.value as TDeliveryStatus | "")} className={fieldStyles.select}>
          <option value="">All</option>
          <option value="sent">Sent</option>
          <option value="pending">Pending</option>
          <option value="failed">Failed</option>
        </select>
      </label>
      {history.isPending ? (
        <TableSkeleton rows={3} label="Loading the alert history" />
      ) : history.isError ? (
        <ErrorState title="The alert history could not be loaded" message={errorMessage(history.error)} onRetry={() => void history.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState title="Nothing sent yet">Each message a rule sends (and each test) appears here with whether it was delivered.</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900">
          <table className="w-full table-fixed text-left text-sm">
            <caption className="sr-only">Alert history</caption>
            <thead className="border-b border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-950 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
              <tr>
                <th scope="col" className="w-32 px-4 py-3">
                  When
                </th>
                <th scope="col" className="w-24 px-4 py-3">
                  Event
                </th>
                <th scope="col" className="px-4 py-3">
                  Alert
                </th>
                <th scope="col" className="w-48 px-4 py-3">
                  Channel
                </th>
                <th scope="col" className="w-72 px-4 py-3">
                  Delivery
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {entries.map((entry) => (
                <HistoryRow key={entry.id} entry={entry} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {history.hasNextPage ? (
        <button type="button" className={buttonStyles.secondary} disabled={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
          {history.isFetchingNextPage ? "Loading…" : "Show older alerts"}
        </button>
      ) : null}
    </div>
  );
}

function HistoryRow({ entry }: { entry: TEntry }) {
  const style = DELIVERY_STYLES[entry.status];
  const incident = entry.incident;
  return (
    <tr className="align-top">
      <td className="px-4 py-3 text-slate-600 dark:text-slate-300">
        <RelativeTime date={entry.createdAt} />
      </td>
      <td className="px-4 py-3 text-slate-700 dark:text-slate-300">{EVENT_LABELS[entry.event]}</td>
      <td className="px-4 py-3">
        <p className="[overflow-wrap:anywhere] font-medium text-slate-900 dark:text-slate-100">{entry.subject}</p>
        {incident ? (
          <p className="mt-1 [overflow-wrap:anywhere] text-xs text-slate-600 dark:text-slate-300">
            {incident.summary}
            {" · "}
            <Link href={`/pipelines/${incident.pipelineId}`} className={buttonStyles.link}>
              {incident.pipelineName}
            </Link>
            {incident.runId ? (
              <>
                {" · "}
                <Link href={`/runs/${incident.runId}`} className={buttonStyles.link}>
                  the run
                </Link>
              </>
            ) : null}
            {incident.status === "resolved" ? " · resolved" : incident.repeats > 0 ? ` · seen ${incident.repeats + 1} times` : null}
          </p>
        ) : null}
      </td>
      <td className="[overflow-wrap:anywhere] px-4 py-3 text-slate-700 dark:text-slate-300">
        {entry.channel.name} <span className="text-xs text-slate-500 dark:text-slate-400">({entry.channel.type})</span>
      </td>
      <td className="px-4 py-3">
        <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${style.badge}`}>{style.label}</span>
        <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">
          {entry.attempts} attempt{entry.attempts === 1 ? "" : "s"}
        </span>
        {entry.lastError && entry.status !== "sent" ? <p className="mt-1 [overflow-wrap:anywhere] text-xs text-rose-700 dark:text-rose-300">{entry.lastError}</p> : null}
      </td>
    </tr>
  );
}
