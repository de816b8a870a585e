"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { formatCount } from "./format";
import { useEditor } from "./store-context";

type Loaded = Extract<RouterOutputs["editor"]["loadedRows"], { status: "loaded" }>;

const PAGE_ROWS = 50;

/** A config setting that is a non-empty text, or null. */
function textSetting(config: Record<string, unknown> | undefined, key: string): string | null {
  const value = config?.[key];
  return typeof value === "string" && value !== "" ? value : null;
}

function RowsTable({ page, offset }: { page: Loaded; offset: number }) {
  return (
    <div className="min-h-0 flex-1 overflow-auto" tabIndex={0} aria-label="Loaded rows, scrollable">
      <table aria-label="Loaded rows" className="min-w-full text-xs">
        <thead className="sticky top-0 z-10 bg-slate-100 dark:bg-slate-800 text-left">
          <tr>
            <th scope="col" className="px-2 py-1.5 font-normal text-slate-400">
              #
            </th>
            <th scope="col" className="px-2 py-1.5 font-semibold text-slate-800 dark:text-slate-200">
              Lineage
            </th>
            <th scope="col" className="px-2 py-1.5 font-semibold whitespace-nowrap text-slate-800 dark:text-slate-200" title="_sluice_run_id">
              Run <span className="font-normal text-slate-500 dark:text-slate-400">_sluice_run_id</span>
            </th>
            {page.columns.map((c) => (
              <th scope="col" key={c.name} className="max-w-60 truncate px-2 py-1 whitespace-nowrap" title={`${c.name} (${c.type})`}>
                <span className="font-semibold text-slate-800 dark:text-slate-200">{c.name}</span> <span className="font-normal text-slate-500 dark:text-slate-400">{c.type}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {page.rows.map((values, i) => {
            const n = offset + i + 1;
            const runId = page.runIds[i]!;
            return (
              <tr key={`${offset}-${i}`} aria-label={`Loaded row ${n}`} className={`border-b border-slate-100 dark:border-slate-800 ${i % 2 ? "bg-slate-50/60 dark:bg-slate-950/60" : "bg-white dark:bg-slate-900"}`}>
                <td className="px-2 py-1.5 text-slate-400 tabular-nums">{n}</td>
                <td className="px-2 py-1.5">
                  <Link
                    href={`/lineage/${encodeURIComponent(page.lineageIds[i]!)}`}
                    aria-label={`Lineage of loaded row ${n}`}
                    title={page.lineageIds[i]}
                    className="text-sky-700 dark:text-sky-300 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
                  >
                    trace
                  </Link>
                </td>
                <td className="px-2 py-1.5 font-mono">
                  <Link href={`/runs/${runId}`} title={runId} className="text-sky-700 dark:text-sky-300 underline-offset-2 hover:underline">
                    {runId.slice(0, 8)}
                  </Link>
                </td>
                {values.map((value, k) => (
                  <td
                    key={k}
                    title={value ?? "NULL"}
                    className={`max-w-60 truncate px-2 py-1.5 font-mono whitespace-nowrap ${value === null ? "text-slate-300 italic" : "text-slate-800 dark:text-slate-200"}`}
                  >
                    {value ?? "null"}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * What a PostgreSQL destination has loaded: its table's rows, newest first, a page at a
 * time, each with the run that wrote it and a link to its lineage.
 */
export function LoadedRows({ nodeId }: { nodeId: string }) {
  const table = useEditor((s) => textSetting(s.nodes.find((n) => n.id === nodeId)?.data.config, "table"));
  const schema = useEditor((s) => textSetting(s.nodes.find((n) => n.id === nodeId)?.data.config, "schema")) ?? "public";
  if (table === null) return <p className="p-4 text-sm text-slate-500 dark:text-slate-400">Set the table in this node&apos;s settings to see the rows loaded into it.</p>;
  // Another table starts again at its newest rows.
  return <TableRows key={`${schema}\u0000${table}`} schema={schema} table={table} />;
}

function TableRows({ schema, table }: { schema: string; table: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Cursors of the pages visited: page k starts after cursors[k - 1].
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const first = useQuery(trpc.editor.loadedRows.queryOptions({ schema, table, limit: PAGE_ROWS }, { retry: false }));
  const page = useQuery(
    trpc.editor.loadedRows.queryOptions({ schema, table, limit: PAGE_ROWS, cursor }, { enabled: cursor !== undefined, placeholderData: keepPreviousData, retry: false }),
  );
  const current = cursor === undefined ? first : page;

  // A run that just ended may have loaded rows: show them.
  const runEnded = useEditor((s) => (s.run && !["queued", "running"].includes(s.run.status) ? s.run.id : null));
  useEffect(() => {
    if (runEnded !== null) void queryClient.invalidateQueries({ queryKey: trpc.editor.loadedRows.pathKey() });
  }, [runEnded, queryClient, trpc]);

  if (current.isPending) {
    return (
      <div className="space-y-1.5 p-3" aria-busy="true" aria-label="Loading loaded rows">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="h-5 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />
        ))}
      </div>
    );
  }
  if (current.error) {
    return (
      <div className="p-4 text-sm">
        <p className="font-medium text-slate-800 dark:text-slate-200">Could not read the table</p>
        <p className="mt-1 text-slate-600 dark:text-slate-300">{current.error.message}</p>
        <button type="button" onClick={() => void current.refetch()} className="mt-2 rounded-md border border-slate-300 dark:border-slate-600 px-2.5 py-1 text-sm text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800">
          Try again
        </button>
      </div>
    );
  }
  const data = current.data;
  if (data.status === "missing") {
    return (
      <div className="p-4 text-sm">
        <p className="font-medium text-slate-800 dark:text-slate-200">Not loaded yet</p>
        <p className="mt-1 text-slate-600 dark:text-slate-300">
          The table <span className="font-mono">{data.table}</span> does not exist yet: run the pipeline, and the rows it loads show here.
        </p>
      </div>
    );
  }
  if (data.status === "notLoaded") {
    return (
      <div className="p-4 text-sm">
        <p className="font-medium text-slate-800 dark:text-slate-200">Not loaded by Sluice yet</p>
        <p className="mt-1 text-slate-600 dark:text-slate-300">
          <span className="font-mono">{data.table}</span> exists but holds no rows a run of this workspace loaded: run the pipeline, and the rows it loads
          show here.
        </p>
      </div>
    );
  }
  const total = first.data?.status === "loaded" ? first.data.total : null;
  const offset = cursors.length * PAGE_ROWS;
  return (
    <div className={`flex min-h-0 flex-1 flex-col ${current.isFetching ? "opacity-70" : ""}`}>
      <div className="flex items-center gap-3 border-b border-slate-100 dark:border-slate-800 px-3 py-1.5 text-xs text-slate-600 dark:text-slate-300">
        <span role="status" aria-label="Loaded row count">
          {total === null ? "" : `${formatCount(total)} row${total === 1 ? "" : "s"} in ${data.table}`}
          {data.rows.length > 0 ? ` · showing ${formatCount(offset + 1)}–${formatCount(offset + data.rows.length)}, most recently written first` : ""}
        </span>
        <span className="ml-auto flex items-center gap-1">
          <button
            type="button"
            onClick={() => void queryClient.invalidateQueries({ queryKey: trpc.editor.loadedRows.pathKey() })}
            className="rounded px-2 py-0.5 text-slate-700 dark:text-slate-300 hover:bg-slate-100 dark:hover:bg-slate-800"
          >
            Refresh
          </button>
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
            className="rounded border border-slate-300 dark:border-slate-600 px-2 py-0.5 text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800 disabled:opacity-40"
          >
            Newer
          </button>
          <button
            type="button"
            disabled={data.nextCursor === null}
            onClick={() => data.nextCursor !== null && setCursors([...cursors, data.nextCursor])}
            className="rounded border border-slate-300 dark:border-slate-600 px-2 py-0.5 text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800 disabled:opacity-40"
          >
            Older
          </button>
        </span>
      </div>
      {data.rows.length === 0 ? (
        <p className="p-4 text-sm text-slate-500 dark:text-slate-400">The table is empty: the runs so far loaded no rows into it.</p>
      ) : (
        <RowsTable page={data} offset={offset} />
      )}
    </div>
  );
}
