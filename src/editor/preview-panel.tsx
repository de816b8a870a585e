"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import type { TPipelineGraphInput } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { upstreamGraph } from "./graph";
import { LoadedRows } from "./loaded-rows";
import { useEditor } from "./store-context";

type Preview = RouterOutputs["editor"]["preview"];

const ROW_HEIGHT = 28;
const DEBOUNCE_MS = 400;
const COLUMN_WIDTH = 160;
const ROW_NUMBER_WIDTH = 48;
const REASON_WIDTH = 300;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function PreviewTable({ preview, onlyRejected }: { preview: Preview; onlyRejected: boolean }) {
  const scroller = useRef<HTMLDivElement>(null);
  const rejectedByRow = useMemo(() => new Map(preview.rejected.map((r) => [r.row, r.violations])), [preview]);
  const rows = useMemo(
    () => preview.rows.map((values, index) => ({ values, index })).filter((r) => !onlyRejected || rejectedByRow.has(r.index)),
    [preview, onlyRejected, rejectedByRow],
  );
  const hasRejects = preview.rejected.length > 0;
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const width = ROW_NUMBER_WIDTH + preview.columns.length * COLUMN_WIDTH + (hasRejects ? REASON_WIDTH : 0);
  // The reasons come first: on a narrow screen they must not scroll out of sight.
  const template = `${ROW_NUMBER_WIDTH}px${hasRejects ? ` ${REASON_WIDTH}px` : ""} repeat(${preview.columns.length}, ${COLUMN_WIDTH}px)`;

  return (
    <div ref={scroller} className="min-h-0 flex-1 overflow-auto" tabIndex={0} aria-label="Preview rows, scrollable">
      <div role="table" aria-label="Preview" aria-rowcount={rows.length + 1} style={{ width }} className="text-xs">
        <div role="rowgroup" className="sticky top-0 z-10 bg-slate-100 dark:bg-slate-800">
          <div role="row" className="grid border-b border-slate-200 dark:border-slate-700" style={{ gridTemplateColumns: template }}>
            <span role="columnheader" className="px-2 py-1.5 text-slate-400">
              #
            </span>
            {hasRejects ? (
              <span role="columnheader" className="px-2 py-1.5 font-semibold text-red-800 dark:text-red-200">
                Why it would be quarantined
              </span>
            ) : null}
            {preview.columns.map((c) => (
              <span role="columnheader" key={c.name} className="truncate px-2 py-1 text-left" title={`${c.name} (${c.type})`}>
                <span className="font-semibold text-slate-800 dark:text-slate-200">{c.name}</span> <span className="font-normal text-slate-500 dark:text-slate-400">{c.type}</span>
              </span>
            ))}
          </div>
        </div>
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            const violations = rejectedByRow.get(row.index);
            const badFields = new Map<string, string[]>();
            for (const v of violations ?? []) badFields.set(v.field, [...(badFields.get(v.field) ?? []), v.message]);
            return (
              <div
                role="row"
                key={row.index}
                aria-label={violations ? `Row ${row.index + 1}, would be quarantined` : `Row ${row.index + 1}`}
                className={`absolute grid w-full border-b border-slate-100 dark:border-slate-800 ${violations ? "bg-red-50/70 dark:bg-red-950/70" : item.index % 2 ? "bg-slate-50/60 dark:bg-slate-950/60" : "bg-white dark:bg-slate-900"}`}
                style={{ gridTemplateColumns: template, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              >
                <span role="cell" className="px-2 py-1.5 text-slate-400 tabular-nums">
                  {row.index + 1}
                </span>
                {hasRejects ? (
                  <span role="cell" className="truncate px-2 py-1.5 text-red-800 dark:text-red-200" title={violations?.map((v) => v.message).join("\n")}>
                    {violations?.map((v) => v.message).join(" · ")}
                  </span>
                ) : null}
                {preview.columns.map((c, i) => {
                  const value = row.values[i];
                  const problems = badFields.get(c.name);
                  return (
                    <span
                      role="cell"
                      key={c.name}
                      title={problems ? problems.join("\n") : (value ?? "NULL")}
                      aria-invalid={problems ? true : undefined}
                      className={`truncate px-2 py-1.5 font-mono ${problems ? "bg-red-200/70 dark:bg-red-800/70 text-red-900 dark:text-red-200 ring-1 ring-red-300 dark:ring-red-700 ring-inset" : value === null ? "text-slate-300 italic" : "text-slate-800 dark:text-slate-200"}`}
                    >
                      {value ?? "null"}
                    </span>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function PreviewBody({ nodeId }: { nodeId: string }) {
  const trpc = useTRPC();
  const [onlyRejected, setOnlyRejected] = useState(false);
  const key = useEditor((s) => JSON.stringify(upstreamGraph(s, nodeId)));
  const debouncedKey = useDebounced(key, DEBOUNCE_MS);
  const graph = useMemo(() => JSON.parse(debouncedKey) as TPipelineGraphInput, [debouncedKey]);
  const preview = useQuery(trpc.editor.preview.queryOptions({ graph, nodeId }, { placeholderData: keepPreviousData, retry: false, staleTime: 30_000 }));

  if (preview.isPending) {
    return (
      <div className="space-y-1.5 p-3" aria-busy="true" aria-label="Loading preview">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="h-5 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />
        ))}
      </div>
    );
  }
  if (preview.error) {
    return (
      <div className="p-4 text-sm">
        <p className="font-medium text-slate-800 dark:text-slate-200">No preview yet</p>
        <p className="mt-1 text-slate-600 dark:text-slate-300">{preview.error.message}</p>
      </div>
    );
  }
  const data = preview.data;
  return (
    <div className={`flex min-h-0 flex-1 flex-col ${preview.isFetching ? "opacity-70" : ""}`}>
      <div className="flex items-center gap-3 border-b border-slate-100 dark:border-slate-800 px-3 py-1.5 text-xs text-slate-600 dark:text-slate-300">
        <span role="status">{data.note}</span>
        {data.rejected.length > 0 ? (
          <label className="ml-auto flex items-center gap-1.5">
            <input type="checkbox" checked={onlyRejected} onChange={(e) => setOnlyRejected(e.target.checked)} className="accent-red-600" />
            Only rows that would be quarantined ({data.rejected.length})
          </label>
        ) : null}
      </div>
      {data.columns.length === 0 ? (
        <p className="p-4 text-sm text-slate-500 dark:text-slate-400">This node has no columns.</p>
      ) : data.rows.length === 0 ? (
        <p className="p-4 text-sm text-slate-500 dark:text-slate-400">No rows: the sample produced nothing here.</p>
      ) : (
        <PreviewTable preview={data} onlyRejected={onlyRejected} />
      )}
    </div>
  );
}

type View = "preview" | "loaded";

function ViewTab({ view, current, onSelect, children }: { view: View; current: View; onSelect: (view: View) => void; children: string }) {
  const selected = view === current;
  return (
    <button
      type="button"
      role="tab"
      aria-selected={selected}
      onClick={() => onSelect(view)}
      className={`rounded px-2 py-0.5 text-xs font-medium ${selected ? "bg-sky-100 dark:bg-sky-900 text-sky-900 dark:text-sky-200" : "text-slate-600 dark:text-slate-300 hover:bg-slate-100 dark:hover:bg-slate-800"}`}
    >
      {children}
    </button>
  );
}

/** The bottom panel: the selected node's data on a sample, and for a destination what its runs loaded. */
export function PreviewPanel() {
  const [open, setOpen] = useState(true);
  const [view, setView] = useState<View>("preview");
  const selected = useEditor((s) => {
    let id: string | null = null;
    for (const n of s.nodes) {
      if (!n.selected) continue;
      if (id !== null) return null;
      id = n.id;
    }
    return id;
  });
  const nodeType = useEditor((s) => (selected ? s.nodes.find((n) => n.id === selected)?.data.nodeType : undefined));
  const title = nodeType ? (registry.get(nodeType)?.ui.title ?? nodeType) : null;
  // Nodes that load a table also show what their runs loaded.
  const loads = nodeType !== undefined && registry.get(nodeType)?.capabilities?.loadsTable === true;
  const shown: View = loads ? view : "preview";
  return (
    <section aria-label="Data preview" className={`flex shrink-0 flex-col border-t border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 ${open ? "h-64" : ""}`}>
      <div className="flex h-9 shrink-0 items-center gap-2 px-3">
        <button
          type="button"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
          className="flex items-center gap-1.5 rounded px-1 text-sm font-medium text-slate-800 dark:text-slate-200 hover:bg-slate-100 dark:hover:bg-slate-800"
        >
          <span aria-hidden className={`text-xs transition-transform ${open ? "rotate-90" : ""}`}>
            ▶
          </span>
          Preview
        </button>
        {selected ? (
          <span className="truncate text-xs text-slate-500 dark:text-slate-400">
            {title} · <span className="font-mono">{selected}</span>
          </span>
        ) : null}
        {open && loads ? (
          <span role="tablist" aria-label="Destination data" className="ml-auto flex gap-1">
            <ViewTab view="preview" current={shown} onSelect={setView}>
              Rows it would load
            </ViewTab>
            <ViewTab view="loaded" current={shown} onSelect={setView}>
              Loaded rows
            </ViewTab>
          </span>
        ) : null}
      </div>
      {open ? (
        selected ? (
          shown === "loaded" ? (
            <div role="tabpanel" aria-label="Loaded rows" className="flex min-h-0 flex-1 flex-col">
              <LoadedRows key={selected} nodeId={selected} />
            </div>
          ) : (
            <PreviewBody key={selected} nodeId={selected} />
          )
        ) : (
          <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">Select a node to see the first rows of its data.</p>
        )
      ) : null}
    </section>
  );
}
