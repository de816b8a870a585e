"use client";

import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import { memo, useMemo } from "react";
import type { RunStatus } from "@/generated/prisma/enums";
import { ZPipelineGraph } from "@/nodes/pipeline";
import { formatCount } from "../format";
import { STATUS_STYLES, StatusBadge } from "../status-badge";

interface NodeCounts {
  status: RunStatus;
  rowsIn: bigint;
  rowsOut: bigint;
  rowsRejected: bigint;
}

type RunNodeData = { label: string; type: string; run: NodeCounts | undefined };
type RunFlowNode = Node<RunNodeData, "run">;

/** One pipeline node as it fared in this run: status colour and text, rows out and rejected. */
const RunNode = memo(function RunNode({ data }: NodeProps<RunFlowNode>) {
  const border = data.run ? STATUS_STYLES[data.run.status].border : "border-slate-300 dark:border-slate-600 border-dashed";
  return (
    <div className={`w-52 rounded-lg border-2 bg-white dark:bg-slate-900 px-3 py-2 text-left shadow-sm ${border}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} className="!bg-slate-400" />
      <div className="truncate text-sm font-semibold text-slate-900 dark:text-slate-100" title={data.label}>
        {data.label}
      </div>
      <div className="truncate font-mono text-[11px] text-slate-500 dark:text-slate-400">{data.type}</div>
      <div className="mt-1.5 flex items-center justify-between gap-2">
        {data.run ? <StatusBadge status={data.run.status} /> : <span className="text-xs text-slate-500 dark:text-slate-400">Not started</span>}
        {data.run ? (
          <span className="text-right text-[11px] leading-tight tabular-nums text-slate-600 dark:text-slate-300">
            {formatCount(data.run.rowsOut)} out
            {data.run.rowsRejected > 0n ? <span className="block text-rose-700 dark:text-rose-300">{formatCount(data.run.rowsRejected)} rejected</span> : null}
          </span>
        ) : null}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} className="!bg-slate-400" />
    </div>
  );
});

// Module scope: a new object per render would make React Flow remount every node.
const nodeTypes = { run: RunNode };

/**
 * The pinned version's graph, read-only, each node coloured by how it fared in this run.
 * The graph comes from the database as JSON; a version that no longer parses is said so, not drawn half.
 */
export function RunGraph({ graph, nodes, title }: { graph: unknown; nodes: ({ nodeId: string } & NodeCounts)[]; title: string }) {
  const parsed = useMemo(() => ZPipelineGraph.safeParse(graph), [graph]);
  const byId = useMemo(() => new Map(nodes.map((n) => [n.nodeId, n])), [nodes]);
  const flow = useMemo(() => {
    if (!parsed.success) return undefined;
    const flowNodes: RunFlowNode[] = parsed.data.nodes.map((node) => ({
      id: node.id,
      type: "run",
      position: node.position,
      data: { label: node.label ?? node.id, type: node.type, run: byId.get(node.id) },
      draggable: false,
      connectable: false,
      selectable: false,
    }));
    const flowEdges: Edge[] = parsed.data.edges.map((edge, i) => ({
      id: `e${i}`,
      source: edge.from,
      target: edge.to,
      label: edge.toPort === "in" ? undefined : edge.toPort,
      animated: byId.get(edge.to)?.status === "running",
    }));
    return { nodes: flowNodes, edges: flowEdges };
  }, [parsed, byId]);

  if (!flow) {
    return (
      <p className="rounded-md bg-amber-50 dark:bg-amber-950/50 px-4 py-3 text-sm text-amber-900 dark:text-amber-200">
        This version&apos;s graph could not be read ({parsed.error?.issues[0]?.message ?? "unknown format"}), so it is not drawn.
      </p>
    );
  }
  if (flow.nodes.length === 0) return <p className="px-4 py-3 text-sm text-slate-600 dark:text-slate-300">This version has no nodes.</p>;
  return (
    <div role="group" aria-label={title} className="h-96 w-full">
      <ReactFlow
        colorMode="system"
        nodes={flow.nodes}
        edges={flow.edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        nodesFocusable={false}
        deleteKeyCode={null}
        minZoom={0.2}
      >
        <Background gap={20} color="var(--canvas-grid)" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
