import type { CSSProperties } from "react";
import type { RunStatus } from "@/generated/prisma/enums";
import { formatDuration } from "../format";
import { STATUS_STYLES } from "../status-badge";
import { timelineLayout, type TimelineBar } from "./timeline";

interface TimelineNode {
  nodeId: string;
  label: string;
  status: RunStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Node runs as bars on the run's time axis, each with its duration written next to it. */
export function RunTimeline({ run, nodes, now }: { run: { startedAt: Date | null; finishedAt: Date | null }; nodes: TimelineNode[]; now: Date }) {
  const layout = timelineLayout(run, nodes, now);
  if (!layout) return <p className="px-4 py-6 text-sm text-slate-600 dark:text-slate-300">No node has started yet. The timeline fills in as nodes run.</p>;
  return (
    <div className="px-4 py-3">
      <div className="grid grid-cols-[10rem_1fr] gap-x-3 text-xs text-slate-500 dark:text-slate-400" aria-hidden>
        <span />
        <div className="relative h-5">
          {layout.ticks.map((tick, i) => (
            <span
              key={tick.pct}
              // End labels sit inside the axis instead of hanging over its edges.
              className={`absolute top-0 whitespace-nowrap tabular-nums ${i === 0 ? "" : i === layout.ticks.length - 1 ? "-translate-x-full" : "-translate-x-1/2"}`}
              style={{ left: `${tick.pct}%` }}
            >
              {tick.offsetMs === 0 ? "0 s" : `+${formatDuration(tick.offsetMs)}`}
            </span>
          ))}
        </div>
      </div>
      <ol className="flex flex-col gap-1.5">
        {nodes.map((node) => {
          const bar = layout.bars.get(node.nodeId);
          const style = STATUS_STYLES[node.status];
          return (
            <li key={node.nodeId} className="grid grid-cols-[10rem_1fr] items-center gap-x-3">
              <span className="truncate text-sm text-slate-700 dark:text-slate-300" title={node.label}>
                {node.label}
              </span>
              <div className="relative h-6 rounded bg-slate-100 dark:bg-slate-800">
                {layout.ticks.slice(1, -1).map((tick) => (
                  <span key={tick.pct} aria-hidden className="absolute inset-y-0 w-px bg-slate-200 dark:bg-slate-700" style={{ left: `${tick.pct}%` }} />
                ))}
                {bar ? (
                  <div
                    className={`absolute inset-y-1 rounded-sm ${style.fill} ${bar.open ? "animate-pulse" : ""}`}
                    style={{ left: `${bar.leftPct}%`, width: `${bar.widthPct}%` }}
                    title={`${node.label}: ${style.label.toLowerCase()}, ${formatDuration(bar.durationMs)}`}
                  />
                ) : null}
                <span
                  className={`absolute inset-y-0 flex items-center whitespace-nowrap px-1.5 text-xs tabular-nums ${
                    bar && labelPlacement(bar) === "inside" ? "font-medium text-slate-950 dark:text-slate-50" : "text-slate-700 dark:text-slate-300"
                  }`}
                  style={labelPosition(bar)}
                >
                  {bar ? `${formatDuration(bar.durationMs)}${bar.open ? " so far" : ""}` : style.label}
                  {bar ? <span className="sr-only"> ({style.label})</span> : null}
                </span>
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** Wide bars carry their duration inside; narrow ones beside them, on whichever side has room. */
function labelPlacement(bar: TimelineBar): "inside" | "after" | "before" {
  if (bar.widthPct >= 20) return "inside";
  return bar.leftPct + bar.widthPct <= 75 ? "after" : "before";
}

function labelPosition(bar: TimelineBar | undefined): CSSProperties {
  if (!bar) return { left: 0 };
  switch (labelPlacement(bar)) {
    case "inside":
      return { left: `${bar.leftPct}%` };
    case "after":
      return { left: `${bar.leftPct + bar.widthPct}%` };
    case "before":
      return { right: `${100 - bar.leftPct}%` };
  }
}
