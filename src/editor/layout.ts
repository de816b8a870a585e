import dagre from "@dagrejs/dagre";
import type { FlowEdge, FlowNode } from "./types";

/** Size assumed for nodes React Flow has not measured yet. */
export const DEFAULT_NODE_SIZE = { width: 240, height: 88 } as const;

/** Left-to-right layered layout (dagre): returns nodes with new positions, edges untouched. */
export function layoutGraph(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): FlowNode[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    g.setNode(node.id, {
      width: node.measured?.width ?? DEFAULT_NODE_SIZE.width,
      height: node.measured?.height ?? DEFAULT_NODE_SIZE.height,
    });
  }
  for (const edge of edges) g.setEdge(edge.source, edge.target);
  dagre.layout(g);
  return nodes.map((node) => {
    const placed = g.node(node.id);
    const width = node.measured?.width ?? DEFAULT_NODE_SIZE.width;
    const height = node.measured?.height ?? DEFAULT_NODE_SIZE.height;
    // dagre places centres; React Flow positions are top-left corners.
    return { ...node, position: { x: Math.round(placed.x - width / 2), y: Math.round(placed.y - height / 2) } };
  });
}
