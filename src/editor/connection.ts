/**
 * Why a connection the user is drawing cannot be made, in words they can act on. The
 * canvas refuses a connection when this returns a reason and shows the reason.
 */
import type { Registry } from "@/nodes/registry";
import type { FlowEdge, FlowNode } from "./types";

export interface ProposedConnection {
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

function nodeName(node: FlowNode, registry: Registry): string {
  return node.data.label ?? `${registry.get(node.data.nodeType)?.ui.title ?? node.data.nodeType} (${node.id})`;
}

/** The node ids on a path from `from` to `to` following edges downstream, or null when there is none. */
function pathBetween(from: string, to: string, edges: readonly FlowEdge[]): string[] | null {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const list = next.get(edge.source);
    if (list) list.push(edge.target);
    else next.set(edge.source, [edge.target]);
  }
  const cameFrom = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (current === to) {
      const path = [to];
      let step = to;
      while (step !== from) {
        step = cameFrom.get(step)!;
        path.unshift(step);
      }
      return path;
    }
    for (const n of next.get(current) ?? []) {
      if (seen.has(n)) continue;
      seen.add(n);
      cameFrom.set(n, current);
      queue.push(n);
    }
  }
  return null;
}

export function connectionProblem(
  connection: ProposedConnection,
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  registry: Registry,
): string | null {
  const source = nodes.find((n) => n.id === connection.source);
  const target = nodes.find((n) => n.id === connection.target);
  if (!source || !target) return "one end of this connection is not on the canvas";
  if (source.id === target.id) return "a node cannot feed itself";
  const sourceDefinition = registry.get(source.data.nodeType);
  const targetDefinition = registry.get(target.data.nodeType);
  if (!sourceDefinition || !targetDefinition) return "one end of this connection is a node of an unknown type";
  const output = sourceDefinition.outputs.find((p) => p.name === connection.sourceHandle);
  if (!output) {
    return sourceDefinition.inputs.some((p) => p.name === connection.sourceHandle)
      ? "both ends are inputs: connect an output (right side of a node) to an input (left side)"
      : `${nodeName(source, registry)} has no output "${connection.sourceHandle ?? ""}"`;
  }
  const input = targetDefinition.inputs.find((p) => p.name === connection.targetHandle);
  if (!input) {
    return targetDefinition.outputs.some((p) => p.name === connection.targetHandle)
      ? "both ends are outputs: connect an output (right side of a node) to an input (left side)"
      : `${nodeName(target, registry)} has no input "${connection.targetHandle ?? ""}"`;
  }
  const taken = edges.find((e) => e.target === target.id && e.targetHandle === input.name);
  if (taken) {
    const from = nodes.find((n) => n.id === taken.source);
    return `the input "${input.label}" of ${nodeName(target, registry)} is already connected to ${
      from ? nodeName(from, registry) : taken.source
    }: delete that connection first`;
  }
  const back = pathBetween(target.id, source.id, edges);
  if (back) return `this connection would make a cycle: ${[...back, target.id].join(" → ")}`;
  return null;
}
