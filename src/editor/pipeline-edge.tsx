"use client";

import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import { problemText } from "@/nodes/problems";
import { useEditor } from "./store-context";
import type { FlowEdge } from "./types";

function PipelineEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd }: EdgeProps<FlowEdge>) {
  const problems = useEditor((s) => s.problems.byEdge[id]);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const broken = problems !== undefined && problems.length > 0;
  const stroke = broken ? "var(--color-red-600)" : selected ? "var(--color-sky-600)" : "var(--color-slate-400)";
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={{ stroke, strokeWidth: selected || broken ? 2.5 : 1.75 }} />
      {broken ? (
        <EdgeLabelRenderer>
          <div
            className="nodrag nopan group pointer-events-auto absolute"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            <span
              role="img"
              aria-label={`Connection problem: ${problems.map(problemText).join("; ")}`}
              className="flex h-5 w-5 items-center justify-center rounded-full bg-red-600 text-[11px] font-bold text-white shadow"
            >
              !
            </span>
            <div
              role="tooltip"
              className="invisible absolute top-6 left-1/2 z-10 w-64 -translate-x-1/2 rounded-md bg-slate-900 px-3 py-2 text-xs text-white shadow-lg dark:bg-slate-700 group-hover:visible"
            >
              {problems.map((p, i) => (
                <p key={i}>{problemText(p)}</p>
              ))}
            </div>
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}

export const PipelineEdge = memo(PipelineEdgeView);
