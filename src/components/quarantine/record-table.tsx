"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useEffect, useRef } from "react";
import type { RouterOutputs } from "@/trpc/react";
import { STATUS_LABELS, type TQuarantineStatus } from "./filters";

export type TQuarantineListRow = RouterOutputs["quarantine"]["list"]["records"][number];

const MAX_FIELD_COLUMNS = 12;
const ROW_ESTIMATE = 52;

export const QUARANTINE_STATUS_STYLES: Record<TQuarantineStatus, string> = {
  open: "bg-rose-50 dark:bg-rose-950/50 text-rose-800 dark:text-rose-200 ring-rose-300 dark:ring-rose-700",
  fixed: "bg-sky-50 dark:bg-sky-950/50 text-sky-800 dark:text-sky-200 ring-sky-300 dark:ring-sky-700",
  reingested: "bg-emerald-50 dark:bg-emerald-950/50 text-emerald-800 dark:text-emerald-200 ring-emerald-300 dark:ring-emerald-700",
  discarded: "bg-zinc-100 dark:bg-zinc-800 text-zinc-700 dark:text-zinc-300 ring-zinc-300 dark:ring-zinc-600",
};

export function QuarantineStatusBadge({ status }: { status: TQuarantineStatus }) {
  return (
    <span className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${QUARANTINE_STATUS_STYLES[status]}`}>
      {STATUS_LABELS[status]}
    </span>
  );
}

/**
 * Field names to show: `preferred` first (the columns as the rejecting node received them,
 * in file order), then any other field the first records have (stored records' keys come
 * back in jsonb's order, not the file's).
 */
export function fieldColumns(rows: readonly TQuarantineListRow[], preferred: readonly string[] = []): string[] {
  const seen = new Set<string>();
  for (const row of rows.slice(0, 200)) for (const key of Object.keys(row.record)) seen.add(key);
  return [...preferred.filter((name) => seen.has(name)), ...[...seen].filter((name) => !preferred.includes(name))];
}

/**
 * The quarantined records, one row each: its fields with failing cells highlighted and the
 * messages under them. Only the rows in view are in the DOM (spacer rows keep the scroll
 * height), so a million matching records scroll as smoothly as ten.
 */
export function RecordTable({
  rows,
  columns,
  selected,
  onToggle,
  onToggleAll,
  onOpen,
  openId,
  hasMore,
  loadingMore,
  onLoadMore,
}: {
  rows: TQuarantineListRow[];
  /** Field columns in display order (see fieldColumns). */
  columns: string[];
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: (checked: boolean) => void;
  onOpen: (row: TQuarantineListRow) => void;
  openId: string | undefined;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const shown = columns.slice(0, MAX_FIELD_COLUMNS);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 12,
    // Before the browser has measured the table (server rendering, first paint) assume a
    // typical viewport, so the first rows are in the HTML instead of an empty table.
    initialRect: { width: 1200, height: 640 },
  });
  const items = virtualizer.getVirtualItems();
  const last = items.at(-1);

  useEffect(() => {
    if (last && last.index >= rows.length - 20 && hasMore && !loadingMore) onLoadMore();
  }, [last, rows.length, hasMore, loadingMore, onLoadMore]);

  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (last?.end ?? 0);
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  return (
    <div ref={scrollRef} className="max-h-[65vh] min-h-64 overflow-auto rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900">
      <table className="w-full border-separate border-spacing-0 text-sm">
        <caption className="sr-only">Quarantined records</caption>
        <thead className="sticky top-0 z-10 bg-slate-50 dark:bg-slate-950 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-300">
          <tr>
            <th scope="col" className="w-10 border-b border-slate-200 dark:border-slate-700 px-3 py-2">
              <input
                type="checkbox"
                aria-label="Select all loaded records"
                checked={allSelected}
                onChange={(event) => onToggleAll(event.target.checked)}
                className="size-4 rounded border-slate-300 dark:border-slate-600"
              />
            </th>
            <th scope="col" className="border-b border-slate-200 dark:border-slate-700 px-3 py-2">
              Record
            </th>
            <th scope="col" className="border-b border-slate-200 dark:border-slate-700 px-3 py-2">
              Status
            </th>
            {shown.map((column) => (
              <th key={column} scope="col" className="border-b border-slate-200 dark:border-slate-700 px-3 py-2 normal-case">
                {column}
              </th>
            ))}
            {columns.length > shown.length ? (
              <th scope="col" className="border-b border-slate-200 dark:border-slate-700 px-3 py-2 normal-case">
                +{columns.length - shown.length} more
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {top > 0 ? (
            <tr aria-hidden>
              <td style={{ height: top }} colSpan={3 + shown.length} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const failing = new Map<string, string[]>();
            for (const error of row.errors) failing.set(error.field, [...(failing.get(error.field) ?? []), error.message]);
            const isOpen = row.id === openId;
            return (
              <tr
                key={row.id}
                data-index={item.index}
                ref={virtualizer.measureElement}
                aria-selected={isOpen}
                className={`align-top ${isOpen ? "bg-sky-50 dark:bg-sky-950/50" : "hover:bg-slate-50 dark:hover:bg-slate-800"}`}
              >
                <td className="border-b border-slate-100 dark:border-slate-800 px-3 py-2">
                  <input
                    type="checkbox"
                    aria-label={`Select record ${row.id}`}
                    checked={selected.has(row.id)}
                    onChange={() => onToggle(row.id)}
                    className="size-4 rounded border-slate-300 dark:border-slate-600"
                  />
                </td>
                <td className="whitespace-nowrap border-b border-slate-100 dark:border-slate-800 px-3 py-2">
                  <button
                    type="button"
                    onClick={() => onOpen(row)}
                    className="font-medium text-sky-700 dark:text-sky-300 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
                  >
                    #{row.id}
                  </button>
                  <div className="text-xs text-slate-500 dark:text-slate-400">
                    {row.nodeId} ·{" "}
                    <Link
                      href={`/lineage/${encodeURIComponent(row.lineageId)}`}
                      aria-label={`Raw source line of record ${row.id}`}
                      className="underline-offset-2 hover:text-sky-700 dark:hover:text-sky-300 hover:underline"
                    >
                      line {row.lineageId.split(":")[2] ?? "?"}
                    </Link>
                  </div>
                </td>
                <td className="border-b border-slate-100 dark:border-slate-800 px-3 py-2">
                  <QuarantineStatusBadge status={row.status} />
                </td>
                {shown.map((column) => {
                  const messages = failing.get(column);
                  const value = row.record[column];
                  return (
                    <td
                      key={column}
                      className={`min-w-40 max-w-64 border-b border-slate-100 dark:border-slate-800 px-3 py-2 ${messages ? "bg-rose-50 dark:bg-rose-950/50 text-rose-900 dark:text-rose-200" : "text-slate-800 dark:text-slate-200"}`}
                    >
                      <span className={`block truncate font-mono text-xs ${value === null || value === undefined ? "italic text-slate-400" : ""}`}>
                        {value === null || value === undefined ? "empty" : value}
                      </span>
                      {messages?.map((message) => (
                        <span key={message} className="mt-0.5 block text-xs text-rose-700 dark:text-rose-300">
                          {message}
                        </span>
                      ))}
                    </td>
                  );
                })}
                {columns.length > shown.length ? <td className="border-b border-slate-100 dark:border-slate-800" /> : null}
              </tr>
            );
          })}
          {bottom > 0 ? (
            <tr aria-hidden>
              <td style={{ height: bottom }} colSpan={3 + shown.length} />
            </tr>
          ) : null}
        </tbody>
      </table>
      {loadingMore ? (
        <p role="status" className="px-4 py-2 text-xs text-slate-500 dark:text-slate-400">
          Loading more records…
        </p>
      ) : null}
    </div>
  );
}
