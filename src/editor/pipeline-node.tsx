"use client";

import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { registry } from "@/nodes/registry";
import { categoryStyle } from "./categories";
import { problemText } from "@/nodes/problems";
import { formatCount } from "./format";
import type { NodeRunView } from "./store";
import { useEditor } from "./store-context";
import type { FlowNode } from "./types";
import { NodeIcon } from "./node-icon";

const STATUS_STYLE: Record<NodeRunView["status"], string> = {
  queued: "bg-slate-100 dark:bg-slate-800 text-slate-600 dark:text-slate-300",
  running: "bg-sky-100 dark:bg-sky-900 text-sky-700 dark:text-sky-300",
  succeeded: "bg-emerald-100 dark:bg-emerald-900 text-emerald-700 dark:text-emerald-300",
  failed: "bg-red-100 dark:bg-red-900 text-red-700 dark:text-red-300",
  skipped: "bg-slate-100 dark:bg-slate-800 text-slate-500 dark:text-slate-400",
  canceled: "bg-slate-100 dark:bg-slate-800 text-slate-500 dark:text-slate-400",
};

function RunStrip({ run }: { run: NodeRunView }) {
  const total = run.rowsTotal !== null && run.rowsTotal > 0n ? run.rowsTotal : null;
  const done = run.rowsIn > run.rowsOut ? run.rowsIn : run.rowsOut;
  const percent = total !== null ? Math.min(100, Number((done * 100n) / total)) : null;
  return (
    <div className="border-t border-slate-100 dark:border-slate-800 px-3 py-1.5 text-[11px]">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
        <span className={`rounded px-1.5 py-0.5 font-medium ${STATUS_STYLE[run.status]}`} aria-label="Node status">
          {run.status}
        </span>
        <span className="text-slate-500 dark:text-slate-400 tabular-nums" aria-label="Row counts">
          in {formatCount(run.rowsIn)} · out {formatCount(run.rowsOut)}
          {run.rowsRejected > 0n ? <span className="text-amber-700 dark:text-amber-300"> · rejected {formatCount(run.rowsRejected)}</span> : null}
        </span>
      </div>
      {percent !== null && run.status === "running" ? (
        <div
          role="progressbar"
          aria-label="Node progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          className="mt-1 h-1 overflow-hidden rounded bg-slate-100 dark:bg-slate-800"
        >
          <div className="h-full bg-sky-500 transition-[width]" style={{ width: `${percent}%` }} />
        </div>
      ) : null}
      {run.error ? <p className="mt-1 line-clamp-2 text-red-700 dark:text-red-300">{run.error}</p> : null}
    </div>
  );
}

function PipelineNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const definition = registry.get(data.nodeType);
  const problems = useEditor((s) => s.problems.byNode[id]);
  const run = useEditor((s) => s.run?.nodes[id]);
  const columnCount = useEditor((s) => s.columns[id]?.length);
  const title = definition?.ui.title ?? data.nodeType;
  const style = categoryStyle(definition?.ui.category ?? "transform");
  const inputs = definition?.inputs ?? [];
  const outputs = definition?.outputs ?? [];
  const problemList = problems ?? [];
  const label = data.label ?? title;

  return (
    <div
      aria-label={`${label} (${id})${problemList.length ? `, ${problemList.length} problem${problemList.length > 1 ? "s" : ""}` : ""}`}
      className={`group relative w-60 rounded-lg border border-l-4 bg-white dark:bg-slate-900 shadow-sm transition-shadow ${style.accent} ${
        selected ? "border-sky-500 shadow-md ring-2 ring-sky-200 dark:ring-sky-800" : problemList.length ? "border-red-300 dark:border-red-700" : "border-slate-200 dark:border-slate-700"
      }`}
    >
      {inputs.map((port, i) => (
        <Handle
          key={port.name}
          id={port.name}
          type="target"
          position={Position.Left}
          aria-label={`Input ${port.label}`}
          title={port.label}
          style={{ top: `${((i + 1) * 100) / (inputs.length + 1)}%` }}
          className="!h-3 !w-3 !border-2 !border-white !bg-slate-400"
        />
      ))}
      <div className="flex items-start gap-2.5 px-3 py-2.5">
        <span aria-hidden className={`flex h-8 w-8 shrink-0 items-center justify-center rounded-md text-base ring-1 ${style.chip}`}>
          {definition ? <NodeIcon name={definition.ui.icon} /> : "?"}
        </span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-medium text-slate-900 dark:text-slate-100">{label}</div>
          <div className="truncate text-xs text-slate-500 dark:text-slate-400">
            {data.label ? `${title} · ` : ""}
            {id}
            {columnCount !== undefined && columnCount > 0 ? ` · ${columnCount} columns` : ""}
          </div>
        </div>
      </div>
      {inputs.length > 1 ? (
        <div className="pointer-events-none absolute inset-y-0 left-2 flex flex-col justify-around py-2 text-[10px] text-slate-400">
          {inputs.map((port) => (
            <span key={port.name}>{port.label}</span>
          ))}
        </div>
      ) : null}
      {run ? <RunStrip run={run} /> : null}
      {problemList.length > 0 ? (
        <div className="absolute -top-2.5 -right-2.5">
          <span
            tabIndex={-1}
            aria-label={`${problemList.length} problem${problemList.length > 1 ? "s" : ""}`}
            className="peer flex h-5 min-w-5 items-center justify-center rounded-full bg-red-600 px-1 text-[11px] font-semibold text-white shadow"
          >
            {problemList.length}
          </span>
          <div
            role="tooltip"
            className="pointer-events-none invisible absolute top-6 right-0 z-10 w-72 rounded-md bg-slate-900 px-3 py-2 text-xs text-white shadow-lg dark:bg-slate-700 group-hover:visible peer-hover:visible"
          >
            <ul className="list-disc space-y-1 pl-4">
              {problemList.map((p, i) => (
                <li key={i}>{problemText(p)}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
      {outputs.map((port, i) => (
        <Handle
          key={port.name}
          id={port.name}
          type="source"
          position={Position.Right}
          aria-label={`Output ${port.label}`}
          title={port.label}
          style={{ top: `${((i + 1) * 100) / (outputs.length + 1)}%` }}
          className="!h-3 !w-3 !border-2 !border-white !bg-slate-500"
        />
      ))}
    </div>
  );
}

/** Renders any node type from its registry entry: icon, title, ports as handles, problems and run status. */
export const PipelineNode = memo(PipelineNodeView);
