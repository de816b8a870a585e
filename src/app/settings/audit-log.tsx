"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorState } from "@/components/error-state";
import { buttonStyles } from "@/components/page-header";
import { Skeleton } from "@/components/skeleton";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC } from "@/trpc/react";

const PAGE_SIZE = 50;

interface TFilters {
  action: string;
  actor: string;
  /** Days as the date inputs give them, local to the browser. */
  fromDay: string;
  toDay: string;
}

const NO_FILTERS: TFilters = { action: "", actor: "", fromDay: "", toDay: "" };

/** The filters as the server takes them: days become instants here, since only the browser knows its time zone; `toDay` is included. */
function toQuery(filters: TFilters) {
  const endOf = (day: string) => {
    const next = new Date(`${day}T00:00`);
    next.setDate(next.getDate() + 1);
    return next;
  };
  return {
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.fromDay ? { from: new Date(`${filters.fromDay}T00:00`) } : {}),
    ...(filters.toDay ? { to: endOf(filters.toDay) } : {}),
  };
}

function exportHref(filters: TFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(toQuery(filters))) params.set(key, value instanceof Date ? value.toISOString() : value);
  const text = params.toString();
  return `/api/audit/export${text ? `?${text}` : ""}`;
}

const inputStyle = "rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-2 text-sm font-normal shadow-sm";

/** Who did what, and when, in this workspace, including its members' sign-ins. */
export function AuditLog() {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<TFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<TFilters>(NO_FILTERS);
  // The cursors of the pages shown before this one, so "Newer" can step back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const before = cursors.at(-1);
  const log = useQuery(trpc.workspace.audit.queryOptions({ ...toQuery(filters), before, limit: PAGE_SIZE }, { placeholderData: keepPreviousData }));

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([undefined]);
  };
  const set = (key: keyof TFilters) => (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value });

  return (
    <div className="space-y-4">
      <form onSubmit={apply} className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4">
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
          Action starts with
          <input value={draft.action} onChange={set("action")} placeholder="pipeline., sign-in" maxLength={100} className={inputStyle} />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
          Who (name or email)
          <input value={draft.actor} onChange={set("actor")} maxLength={200} className={inputStyle} />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
          From
          <input type="date" value={draft.fromDay} onChange={set("fromDay")} className={inputStyle} />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
          To (included)
          <input type="date" value={draft.toDay} onChange={set("toDay")} className={inputStyle} />
        </label>
        <button type="submit" className={buttonStyles.primary}>
          Filter
        </button>
        <a href={exportHref(filters)} className={buttonStyles.secondary} download>
          Export CSV
        </a>
      </form>
      {log.isPending ? (
        <Skeleton className="h-40 w-full" />
      ) : log.isError ? (
        <ErrorState title="The audit log could not be loaded" message={errorMessage(log.error)} onRetry={() => void log.refetch()} />
      ) : log.data.events.length === 0 ? (
        <p className="rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4 text-sm text-slate-600 dark:text-slate-300">No events match these filters.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Audit log</caption>
            <thead className="border-b border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-950 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
              <tr>
                <th scope="col" className="px-4 py-3">
                  When
                </th>
                <th scope="col" className="px-4 py-3">
                  Who
                </th>
                <th scope="col" className="px-4 py-3">
                  What
                </th>
                <th scope="col" className="px-4 py-3">
                  Target
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {log.data.events.map((e) => (
                <tr key={e.id}>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600 dark:text-slate-300">
                    <time dateTime={e.at.toISOString()}>{e.at.toLocaleString()}</time>
                  </td>
                  <td className="px-4 py-2 text-slate-900 dark:text-slate-100">
                    {e.actor}
                    {e.ipAddress ? <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">from {e.ipAddress}</span> : null}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs text-slate-800 dark:text-slate-200">{e.action}</td>
                  <td className="max-w-xs truncate px-4 py-2 font-mono text-xs text-slate-600 dark:text-slate-300" title={e.target ?? undefined}>
                    {e.target ?? "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="flex gap-3">
        <button type="button" className={buttonStyles.secondary} disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          className={buttonStyles.secondary}
          disabled={!log.data?.nextCursor}
          onClick={() => log.data?.nextCursor && setCursors([...cursors, log.data.nextCursor])}
        >
          Older
        </button>
      </div>
    </div>
  );
}
