"use client";

import { Fragment, useState } from "react";
import type { RouterOutputs } from "@/trpc/react";
import { durationMs, formatCount, formatDuration } from "../format";
import { ChevronIcon } from "../icons";
import { StatusBadge } from "../status-badge";

type NodeRun = RouterOutputs["runs"]["get"]["nodes"][number];

const LOG_LEVEL_STYLES = { info: "text-sky-300", warn: "text-amber-300", error: "text-rose-400" } as const;
const timeOfDay = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3 });

function formatLogTime(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : timeOfDay.format(date);
}

/** Every node run with its counts and error; each row's logs open beneath it. */
export function NodeRunTable({ nodes, labels, now }: { nodes: NodeRun[]; labels: Map<string, string>; now: Date }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (nodeId: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(nodeId)) next.add(nodeId);
      return next;
    });

  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Node runs</caption>
        <thead className="border-b border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-950 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-3 py-2.5">
              Node
            </th>
            <th scope="col" className="px-3 py-2.5">
              Status
            </th>
            <th scope="col" className="px-3 py-2.5 text-right">
              Attempt
            </th>
            <th scope="col" className="whitespace-nowrap px-3 py-2.5 text-right">
              Rows in
            </th>
            <th scope="col" className="whitespace-nowrap px-3 py-2.5 text-right">
              Rows out
            </th>
            <th scope="col" className="px-3 py-2.5 text-right">
              Rejected
            </th>
            <th scope="col" className="px-3 py-2.5 text-right">
              Duration
            </th>
            <th scope="col" className="px-3 py-2.5">
              Checksum
            </th>
            <th scope="col" className="px-3 py-2.5">
              <span className="sr-only">Logs</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {nodes.map((node) => {
            const label = labels.get(node.nodeId) ?? node.nodeId;
            const expanded = open.has(node.nodeId);
            const logsId = `logs-${node.nodeId}`;
            return (
              <Fragment key={node.nodeId}>
                <tr className="align-top">
                  <td className="min-w-52 px-3 py-2.5">
                    <div className="font-medium text-slate-900 dark:text-slate-100">{label}</div>
                    <div className="font-mono text-xs text-slate-500 dark:text-slate-400">
                      {node.nodeType}
                      {label !== node.nodeId ? ` · ${node.nodeId}` : ""}
                    </div>
                    {node.error ? <p className="mt-1 max-w-xl whitespace-pre-wrap break-words text-xs text-rose-700 dark:text-rose-300">{node.error}</p> : null}
                  </td>
                  <td className="px-3 py-2.5">
                    <StatusBadge status={node.status} />
                  </td>
                  <td className="px-3 py-2.5 text-right tabular-nums">{node.attempt}</td>
                  <td className="px-3 py-2.5 text-right tabular-nums">{formatCount(node.rowsIn)}</td>
                  <td className="px-3 py-2.5 text-right tabular-nums">
                    {formatCount(node.rowsOut)}
                    {node.status === "running" && node.rowsTotal ? <div className="text-xs text-slate-500 dark:text-slate-400">of {formatCount(node.rowsTotal)}</div> : null}
                  </td>
                  <td className={`px-3 py-2.5 text-right tabular-nums ${node.rowsRejected > 0n ? "font-medium text-rose-700 dark:text-rose-300" : ""}`}>
                    {formatCount(node.rowsRejected)}
                    {node.rowsKnown > 0n ? (
                      <div className="text-xs font-normal text-slate-500 dark:text-slate-400">
                        {formatCount(node.rowsKnown)} already in quarantine, {formatCount(node.rowsRejected - node.rowsKnown)} new
                      </div>
                    ) : null}
                    {node.rowsRemembered > 0n ? (
                      <div className="text-xs font-normal text-emerald-700 dark:text-emerald-300">{formatCount(node.rowsRemembered)} loaded with a remembered fix</div>
                    ) : null}
                  </td>
                  <td className="px-3 py-2.5 text-right tabular-nums">{formatDuration(durationMs(node.startedAt, node.finishedAt, now))}</td>
                  <td className="max-w-32 px-3 py-2.5">
                    {node.checksum ? (
                      <code className="block truncate text-xs text-slate-600 dark:text-slate-300" title={node.checksum}>
                        {node.checksum}
                      </code>
                    ) : (
                      <span className="text-slate-400">—</span>
                    )}
                  </td>
                  <td className="px-3 py-2.5 text-right">
                    <button
                      type="button"
                      aria-expanded={expanded}
                      aria-controls={expanded ? logsId : undefined}
                      disabled={node.logs.length === 0}
                      onClick={() => toggle(node.nodeId)}
                      className="inline-flex items-center gap-1 whitespace-nowrap rounded px-2 py-1 text-xs font-medium text-sky-800 dark:text-sky-200 hover:bg-sky-50 dark:hover:bg-sky-950/50 disabled:text-slate-400 disabled:hover:bg-transparent"
                    >
                      <ChevronIcon className={`size-3.5 transition-transform ${expanded ? "rotate-90" : ""}`} />
                      {node.logs.length === 0 ? "No logs" : `Logs (${node.logs.length})`}
                      <span className="sr-only"> of {label}</span>
                    </button>
                  </td>
                </tr>
                {expanded ? (
                  <tr id={logsId}>
                    <td colSpan={9} className="bg-slate-950 px-4 py-3">
                      <ol aria-label={`Logs of ${label}`} className="max-h-72 overflow-auto font-mono text-xs leading-5 text-slate-100">
                        {node.logs.map((line, i) => (
                          <li key={i} className="flex gap-3">
                            <span className="shrink-0 text-slate-400">{formatLogTime(line.at)}</span>
                            <span className={`w-10 shrink-0 uppercase ${LOG_LEVEL_STYLES[line.level] ?? "text-slate-400"}`}>{line.level}</span>
                            <span className="whitespace-pre-wrap break-words">{line.message}</span>
                          </li>
                        ))}
                      </ol>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
