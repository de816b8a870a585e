/**
 * Loads a pipeline graph against the registry and reports every problem at once,
 * each naming the node or edge it concerns, before anything runs.
 */
import type { Column, ConfigProblem, NodeDefinition, TUploadLookup } from "./contract";
import { RESERVED_COLUMN_PREFIX } from "./contract";
import { designTimeValues, expressionPaths, substituteParams, type TParamValue } from "./params";
import { ZPipelineGraph, type TPipelineEdge, type TPipelineGraph, type TPipelineNode } from "./pipeline";
import { configIssueMessage } from "./problems";
import { identifierProblem } from "./sql";
import type { Registry } from "./registry";

export interface GraphProblem {
  /** The node concerned, when there is one. */
  nodeId?: string;
  /** The index of the edge concerned in `edges`, when there is one. */
  edgeIndex?: number;
  /** Path into the node's config (or into the graph JSON when no node applies). */
  path: (string | number)[];
  code:
    | "format"
    | "duplicate-node"
    | "unknown-type"
    | "config"
    | "dangling-edge"
    | "unknown-port"
    | "duplicate-input"
    | "cycle"
    | "missing-input"
    | "columns"
    /** A `{{params.name}}` reference that names no declared parameter, or stands where a value cannot. */
    | "params";
  message: string;
}

export interface CheckedNode {
  node: TPipelineNode;
  definition: NodeDefinition;
  /** The config parsed by the node's schema (defaults applied); undefined if it did not parse. */
  config: unknown;
  /** Upstream node id per connected input port. */
  inputs: Record<string, string>;
  /** Output columns; undefined when they could not be computed (a problem upstream or in the config). */
  output: Column[] | undefined;
}

export interface CheckedGraph {
  graph: TPipelineGraph | undefined;
  problems: GraphProblem[];
  /** Nodes in topological order (only when the graph has no cycle and a valid envelope). */
  nodes: CheckedNode[];
}

export interface CheckGraphOptions {
  registry: Registry;
  upload: TUploadLookup;
  /** Why a pipeline may not use a table its config names (see NodeDefinition.tables), or null. Default: any table. */
  tableProblem?: (schema: string | undefined, table: string) => string | null;
  /**
   * A run's parameter values (checked against the declaration and defaults filled in): node
   * settings are resolved with them. Absent while editing and saving: defaults stand in.
   */
  params?: Record<string, TParamValue>;
}

function issuePath(path: PropertyKey[]): (string | number)[] {
  return path.filter((p): p is string | number => typeof p === "string" || typeof p === "number");
}

/** Migrates a node's stored config to its type's version, then resolves its parameter references (see params.ts). */
function migratedConfig(definition: NodeDefinition, node: TPipelineNode): unknown {
  let raw: unknown = node.config;
  const from = node.version ?? definition.version;
  for (let version = from; version < definition.version; version++) {
    const migrate = definition.migrations?.[version];
    if (migrate) raw = migrate(raw);
  }
  return raw;
}

/** Strongly connected components with more than one node (or a self-loop): the cycles. */
function findCycles(ids: string[], edges: TPipelineEdge[]): string[][] {
  const next = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) cycles.push(component.reverse());
    }
  };
  for (const id of ids) if (!indexOf.has(id)) visit(id);
  return cycles;
}

export function checkGraph(input: unknown, options: CheckGraphOptions): CheckedGraph {
  const parsed = ZPipelineGraph.safeParse(input);
  if (!parsed.success) {
    return {
      graph: undefined,
      nodes: [],
      problems: parsed.error.issues.map((issue) => {
        const path = issuePath(issue.path);
        const nodeIndex = path[0] === "nodes" && typeof path[1] === "number" ? path[1] : undefined;
        const nodeId =
          nodeIndex !== undefined ? (input as { nodes?: { id?: unknown }[] }).nodes?.[nodeIndex]?.id : undefined;
        return {
          ...(typeof nodeId === "string" ? { nodeId } : {}),
          ...(path[0] === "edges" && typeof path[1] === "number" ? { edgeIndex: path[1] } : {}),
          path,
          code: "format" as const,
          message: `${path.join(".") || "graph"}: ${issue.message}`,
        };
      }),
    };
  }
  const graph = parsed.data;
  const problems: GraphProblem[] = [];
  const byId = new Map<string, CheckedNode>();
  const declared = graph.params ?? [];
  const paramValues = options.params ?? designTimeValues(declared);

  for (const node of graph.nodes) {
    if (byId.has(node.id)) {
      problems.push({ nodeId: node.id, path: [], code: "duplicate-node", message: `two nodes have the id "${node.id}"` });
      continue;
    }
    const definition = options.registry.get(node.type);
    if (!definition) {
      problems.push({ nodeId: node.id, path: ["type"], code: "unknown-type", message: `${node.id}: unknown node type "${node.type}"` });
      continue;
    }
    const resolved = substituteParams(migratedConfig(definition, node), { declared, values: paramValues, expressions: expressionPaths(definition.config) });
    for (const problem of resolved.problems) {
      problems.push({ nodeId: node.id, path: problem.path, code: "params", message: `${node.id}: ${problem.path.join(".")}: ${problem.message}` });
    }
    // A wrong reference is the problem to fix; the errors it would cause further on are noise.
    const config = resolved.problems.length > 0 ? undefined : definition.config.safeParse(resolved.config);
    if (config && !config.success) {
      for (const issue of config.error.issues) {
        const path = issuePath(issue.path);
        problems.push({
          nodeId: node.id,
          path,
          code: "config",
          message: `${node.id}: ${path.length ? `${path.join(".")}: ` : ""}${configIssueMessage(definition.config, issue, path)}`,
        });
      }
    }
    if (config?.success && options.tableProblem) {
      for (const use of definition.tables?.(config.data) ?? []) {
        const problem = options.tableProblem(use.schema, use.table);
        if (problem) problems.push({ nodeId: node.id, path: use.path, code: "config", message: `${node.id}: ${problem}` });
      }
    }
    byId.set(node.id, { node, definition, config: config?.success ? config.data : undefined, inputs: {}, output: undefined });
  }

  const validEdges: TPipelineEdge[] = [];
  graph.edges.forEach((edge, edgeIndex) => {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (!from || !to) {
      const missing = [!from && edge.from, !to && edge.to].filter(Boolean).join(" and ");
      problems.push({ edgeIndex, path: ["edges", edgeIndex], code: "dangling-edge", message: `edge ${edge.from} → ${edge.to} points at ${missing}, which is not a node` });
      return;
    }
    if (!from.definition.outputs.some((p) => p.name === edge.fromPort)) {
      problems.push({ edgeIndex, nodeId: edge.from, path: ["edges", edgeIndex, "fromPort"], code: "unknown-port", message: `${edge.from} has no output "${edge.fromPort}"` });
      return;
    }
    if (!to.definition.inputs.some((p) => p.name === edge.toPort)) {
      problems.push({ edgeIndex, nodeId: edge.to, path: ["edges", edgeIndex, "toPort"], code: "unknown-port", message: `${edge.to} has no input "${edge.toPort}"` });
      return;
    }
    if (to.inputs[edge.toPort] !== undefined) {
      problems.push({ edgeIndex, nodeId: edge.to, path: ["edges", edgeIndex], code: "duplicate-input", message: `${edge.to}: input "${edge.toPort}" is already connected to ${to.inputs[edge.toPort]}` });
      return;
    }
    to.inputs[edge.toPort] = edge.from;
    validEdges.push(edge);
  });

  const cycles = findCycles([...byId.keys()], validEdges);
  for (const cycle of cycles) {
    problems.push({ nodeId: cycle[0], path: [], code: "cycle", message: `these nodes form a cycle: ${[...cycle, cycle[0]].join(" → ")}` });
  }
  if (cycles.length > 0) return { graph, problems, nodes: [...byId.values()] };

  for (const checked of byId.values()) {
    for (const port of checked.definition.inputs) {
      if ((port.required ?? true) && checked.inputs[port.name] === undefined) {
        problems.push({ nodeId: checked.node.id, path: [], code: "missing-input", message: `${checked.node.id}: input "${port.label}" is not connected` });
      }
    }
  }

  const order = topologicalOrder([...byId.keys()], validEdges);
  for (const id of order) {
    const checked = byId.get(id)!;
    if (checked.config === undefined) continue;
    const inputs: Record<string, Column[]> = {};
    let inputsKnown = true;
    for (const [port, upstream] of Object.entries(checked.inputs)) {
      const columns = byId.get(upstream)?.output;
      if (columns === undefined) inputsKnown = false;
      else inputs[port] = columns;
    }
    if (!inputsKnown) continue;
    const reported: ConfigProblem[] = [];
    const output = checked.definition.outputSchema({
      config: checked.config,
      inputs,
      upload: options.upload,
      report: (p) => reported.push(p),
    });
    for (const p of reported) {
      problems.push({ nodeId: id, path: p.path, code: "columns", message: `${id}: ${p.path.length ? `${p.path.join(".")}: ` : ""}${p.message}` });
    }
    for (const column of output) {
      const problem = identifierProblem(column.name) ?? (column.name.startsWith(RESERVED_COLUMN_PREFIX) ? `names starting with ${RESERVED_COLUMN_PREFIX} are reserved` : null);
      if (problem) problems.push({ nodeId: id, path: [], code: "columns", message: `${id}: column "${column.name}" cannot be used: ${problem}` });
    }
    checked.output = reported.length === 0 ? output : undefined;
  }
  return { graph, problems, nodes: order.map((id) => byId.get(id)!) };
}

function topologicalOrder(ids: string[], edges: TPipelineEdge[]): string[] {
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const e of edges) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const ready = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const e of edges) {
      if (e.from !== id) continue;
      const left = (indegree.get(e.to) ?? 0) - 1;
      indegree.set(e.to, left);
      if (left === 0) ready.push(e.to);
    }
  }
  return order;
}
