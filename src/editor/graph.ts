/**
 * Conversions between the public pipeline JSON and the canvas's nodes and edges. Edge ids
 * are derived from their endpoints, so a problem reported for an edge of any graph the
 * editor sent can be placed on the canvas edge it concerns.
 */
import { NODE_ID_PATTERN, type TPipelineEdge, type TPipelineGraph, type TPipelineGraphInput } from "@/nodes/pipeline";
import type { FlowEdge, FlowNode, GraphSnapshot } from "./types";

export function edgeId(edge: Pick<TPipelineEdge, "from" | "fromPort" | "to" | "toPort">): string {
  return `${edge.from}:${edge.fromPort}->${edge.to}:${edge.toPort}`;
}

export function toFlowEdge(edge: Pick<TPipelineEdge, "from" | "fromPort" | "to" | "toPort">): FlowEdge {
  return {
    id: edgeId(edge),
    type: "pipeline",
    source: edge.from,
    sourceHandle: edge.fromPort,
    target: edge.to,
    targetHandle: edge.toPort,
  };
}

export function fromPipelineGraph(graph: TPipelineGraph): GraphSnapshot {
  return {
    name: graph.name,
    nodes: graph.nodes.map(
      (node): FlowNode => ({
        id: node.id,
        type: "pipeline",
        position: { ...node.position },
        data: {
          nodeType: node.type,
          config: node.config,
          ...(node.version !== undefined ? { version: node.version } : {}),
          ...(node.label !== undefined ? { label: node.label } : {}),
          ...(node.retry !== undefined ? { retry: node.retry } : {}),
        },
      }),
    ),
    edges: graph.edges.map(toFlowEdge),
    ...(graph.params?.length ? { params: graph.params } : {}),
  };
}

/** The graph to save, validate, export. `withPositions: false` leaves layout out (it does not affect validity). */
export function toPipelineGraph(snapshot: GraphSnapshot, options: { withPositions?: boolean } = {}): TPipelineGraphInput {
  const withPositions = options.withPositions ?? true;
  return {
    format: 1,
    name: snapshot.name,
    nodes: snapshot.nodes.map((node) => ({
      id: node.id,
      type: node.data.nodeType,
      ...(node.data.version !== undefined ? { version: node.data.version } : {}),
      ...(node.data.label !== undefined ? { label: node.data.label } : {}),
      config: node.data.config,
      ...(withPositions ? { position: { x: Math.round(node.position.x), y: Math.round(node.position.y) } } : {}),
      ...(node.data.retry !== undefined ? { retry: node.data.retry } : {}),
    })),
    edges: snapshot.edges.map((edge) => ({
      from: edge.source,
      to: edge.target,
      fromPort: edge.sourceHandle ?? "out",
      toPort: edge.targetHandle ?? "in",
    })),
    ...(snapshot.params?.length ? { params: snapshot.params } : {}),
  };
}

/** A fresh node id for a node type, e.g. `validate_3` for "validate", `csv_1` for "source.csv". */
export function nextNodeId(type: string, taken: ReadonlySet<string>): string {
  const tail = type.split(".").pop() ?? "node";
  let base = tail.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40);
  if (!NODE_ID_PATTERN.test(base)) base = `node_${base}`.slice(0, 40);
  for (let n = 1; ; n++) {
    const id = `${base}_${n}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * The part of the graph a node's preview depends on: the node and everything upstream of
 * it, without positions. Smaller requests, and moving or editing unrelated nodes does not
 * invalidate the preview.
 */
export function upstreamGraph(snapshot: GraphSnapshot, nodeId: string): TPipelineGraphInput {
  const keep = new Set<string>();
  const incoming = new Map<string, string[]>();
  for (const edge of snapshot.edges) {
    const list = incoming.get(edge.target);
    if (list) list.push(edge.source);
    else incoming.set(edge.target, [edge.source]);
  }
  const stack = [nodeId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (keep.has(id)) continue;
    keep.add(id);
    stack.push(...(incoming.get(id) ?? []));
  }
  return toPipelineGraph(
    {
      name: snapshot.name,
      // Declared parameters stand in with their defaults, so a preview reads what a run would.
      params: snapshot.params,
      nodes: snapshot.nodes.filter((n) => keep.has(n.id)),
      edges: snapshot.edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
    },
    { withPositions: false },
  );
}
