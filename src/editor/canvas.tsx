"use client";

import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type FinalConnectionState,
} from "@xyflow/react";
import { useCallback, type DragEvent } from "react";
import { registry } from "@/nodes/registry";
import { categoryStyle } from "./categories";
import { connectionProblem } from "./connection";
import { PipelineEdge } from "./pipeline-edge";
import { PipelineNode } from "./pipeline-node";
import { useEditor, useEditorStore } from "./store-context";
import type { FlowEdge, FlowNode } from "./types";

/** MIME type the palette puts on drag data: the node type to add. */
export const NODE_DRAG_TYPE = "application/x-sluice-node";

// Module scope: React Flow re-mounts every node when these objects change identity.
const nodeTypes = { pipeline: PipelineNode };
const edgeTypes = { pipeline: PipelineEdge };
const defaultEdgeOptions = { type: "pipeline" as const };
const MINIMAP_STYLE = { width: 160, height: 100 };

function minimapColor(node: FlowNode): string {
  return categoryStyle(registry.get(node.data.nodeType)?.ui.category ?? "transform").minimap;
}

export function Canvas() {
  const store = useEditorStore();
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const beginDrag = useEditor((s) => s.beginDrag);
  const readOnly = useEditor((s) => s.readOnly);
  const { screenToFlowPosition } = useReactFlow<FlowNode, FlowEdge>();

  const isValidConnection = useCallback(
    (connection: FlowEdge | Connection) => {
      const { nodes: current, edges: currentEdges } = store.getState();
      return connectionProblem(connection, current, currentEdges, registry) === null;
    },
    [store],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const problem = store.getState().connect(connection);
      if (problem) store.getState().notify(`Cannot connect: ${problem}`);
    },
    [store],
  );

  /** Says why a connection dropped on a handle was refused (React Flow only tells us it was). */
  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.toHandle || !state.fromHandle) return;
      const [from, to] = state.fromHandle.type === "source" ? [state.fromHandle, state.toHandle] : [state.toHandle, state.fromHandle];
      const { nodes: current, edges: currentEdges, notify } = store.getState();
      const problem = connectionProblem(
        { source: from.nodeId, sourceHandle: from.id, target: to.nodeId, targetHandle: to.id },
        current,
        currentEdges,
        registry,
      );
      if (problem) notify(`Cannot connect: ${problem}`);
    },
    [store],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(NODE_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(NODE_DRAG_TYPE);
      if (!type || !registry.get(type) || store.getState().readOnly) return;
      event.preventDefault();
      const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // Drop point = the node's header centre, where the pointer held it in the palette.
      store.getState().addNode(type, { x: at.x - 120, y: at.y - 24 });
    },
    [screenToFlowPosition, store],
  );

  return (
    <ReactFlow<FlowNode, FlowEdge>
      aria-label="Pipeline canvas"
      colorMode="system"
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      defaultEdgeOptions={defaultEdgeOptions}
      onNodesChange={onNodesChange}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      onEdgesChange={onEdgesChange}
      onConnect={onConnect}
      onConnectEnd={onConnectEnd}
      isValidConnection={isValidConnection}
      onNodeDragStart={beginDrag}
      onSelectionDragStart={beginDrag}
      onDragOver={onDragOver}
      onDrop={onDrop}
      // Deleting goes through the store (one undo step) via the editor's shortcuts.
      deleteKeyCode={null}
      multiSelectionKeyCode={["Meta", "Control", "Shift"]}
      selectionKeyCode="Shift"
      fitView
      fitViewOptions={{ maxZoom: 1.1, padding: 0.2 }}
      minZoom={0.1}
      maxZoom={2}
      onlyRenderVisibleElements
      className="bg-slate-50 dark:bg-slate-950"
    >
      <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} color="var(--canvas-dots)" />
      <MiniMap<FlowNode> pannable zoomable nodeColor={minimapColor} ariaLabel="Minimap" style={MINIMAP_STYLE} className="!right-2 !bottom-2 overflow-hidden rounded-md border border-slate-200 dark:border-slate-700" />
      <Controls showInteractive={false} className="!bottom-2 !left-2" />
    </ReactFlow>
  );
}
