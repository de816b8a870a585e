/**
 * The canvas state: one zustand store per open pipeline (a factory, so tests and several
 * editors never share state), reached through context with selector hooks
 * (see ./store-context.tsx). Components subscribe to the smallest slice they need.
 */
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from "@xyflow/react";
import { createStore, type StoreApi } from "zustand/vanilla";
import type { Column } from "@/nodes/contract";
import type { GraphProblem } from "@/nodes/graph";
import type { TParamDeclaration } from "@/nodes/params";
import type { Registry } from "@/nodes/registry";
import { connectionProblem, type ProposedConnection } from "./connection";
import { edgeId, nextNodeId, toFlowEdge } from "./graph";
import { layoutGraph } from "./layout";
import type { FlowEdge, FlowNode, GraphSnapshot } from "./types";

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "skipped", "canceled"] as const;
export type TRunStatus = (typeof RUN_STATUSES)[number];

export interface NodeRunView {
  status: TRunStatus;
  rowsIn: bigint;
  rowsOut: bigint;
  rowsRejected: bigint;
  rowsTotal: bigint | null;
  error: string | null;
}

export interface RunView {
  id: string;
  status: TRunStatus;
  error: string | null;
  nodes: Record<string, NodeRunView>;
}

export interface ProblemIndex {
  byNode: Record<string, GraphProblem[]>;
  byEdge: Record<string, GraphProblem[]>;
  all: GraphProblem[];
}

export interface Notice {
  id: number;
  kind: "error" | "info";
  message: string;
}

/** Most undo steps kept. */
export const HISTORY_LIMIT = 100;
/** Edits of one thing (typing in one config field) within this window undo as one step. */
const COALESCE_MS = 1000;
/** How far each paste or duplicate is shifted from its original. */
const PASTE_OFFSET = 40;

export interface EditorState extends GraphSnapshot {
  pipelineId: string;
  /** The saved version the canvas started from. */
  baseVersion: number;
  dirty: boolean;
  /**
   * An old version opened for reading: the graph cannot change (every editing action is a
   * no-op) until it is loaded as unsaved changes with `readOnly: false`.
   */
  readOnly: boolean;
  past: GraphSnapshot[];
  future: GraphSnapshot[];
  clipboard: GraphSnapshot | null;
  pasteCount: number;
  problems: ProblemIndex;
  /** Output columns per node id, from the last validation (null: unknown because of a problem). */
  columns: Record<string, Column[] | null>;
  /** File names of the uploads the graph reads, by upload id. */
  files: Record<string, string>;
  run: RunView | null;
  notice: Notice | null;
  /** What the last history entry was for, so a burst of edits to one thing is one undo step. */
  historyKey: string | null;
  historyAt: number;
  /** Bumped when the graph is replaced wholesale (undo, redo, load): forms drop what they were typing. */
  revision: number;

  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  /** Records an undo step before a drag moves nodes. */
  beginDrag(): void;
  addNode(type: string, position?: { x: number; y: number }): string;
  /** Connects, or returns why not (and connects nothing). */
  connect(connection: ProposedConnection): string | null;
  removeEdge(id: string): void;
  updateConfig(nodeId: string, config: Record<string, unknown>): void;
  setLabel(nodeId: string, label: string): void;
  /** The name the server now has (renames are saved at once, not with the next version): no undo step, not unsaved. */
  rename(name: string): void;
  /** Replaces the declared run parameters (one undo step per burst of edits). */
  setParams(params: TParamDeclaration[]): void;
  select(ids: readonly string[]): void;
  selectAll(): void;
  deleteSelection(): void;
  duplicateSelection(): void;
  copySelection(): void;
  paste(): void;
  undo(): void;
  redo(): void;
  autoLayout(): void;
  /** Replaces the graph. `dirty` says whether it differs from the saved version (a restored draft does). */
  load(snapshot: GraphSnapshot, options: { dirty: boolean; baseVersion?: number; keepHistory?: boolean; readOnly?: boolean }): void;
  /** Records a saved version; the canvas stays dirty when it changed since `saved` was taken. */
  markSaved(version: number, saved: GraphSnapshot): void;
  setValidation(
    result: { problems: GraphProblem[]; columns: Record<string, Column[] | null>; files?: Record<string, string> },
    sentEdges: readonly ProposedEdge[],
  ): void;
  setRun(run: RunView | null): void;
  notify(message: string, kind?: Notice["kind"]): void;
  dismissNotice(id: number): void;
}

/** An edge as the validated graph had it (its index is how problems name it). */
export interface ProposedEdge {
  from: string;
  to: string;
  fromPort?: string;
  toPort?: string;
}

export interface EditorStoreInit {
  registry: Registry;
  pipelineId: string;
  baseVersion: number;
  graph: GraphSnapshot;
  /** Open the graph for reading only (see {@link EditorState.readOnly}); default false. */
  readOnly?: boolean;
  /** Injected for tests. */
  now?: () => number;
}

export type EditorStore = StoreApi<EditorState>;

const EMPTY_PROBLEMS: ProblemIndex = { byNode: {}, byEdge: {}, all: [] };

function snapshotOf(state: GraphSnapshot): GraphSnapshot {
  return { name: state.name, nodes: state.nodes, edges: state.edges, params: state.params };
}

export function createEditorStore(init: EditorStoreInit): EditorStore {
  const { registry } = init;
  const now = init.now ?? Date.now;
  let noticeId = 0;

  return createStore<EditorState>()((set, get) => {
    /** Pushes the current graph on the undo stack before a change (once per burst for a key). */
    const record = (key: string | null = null) => {
      const state = get();
      const at = now();
      if (key !== null && key === state.historyKey && at - state.historyAt < COALESCE_MS) {
        set({ historyAt: at });
        return;
      }
      set({
        past: [...state.past, snapshotOf(state)].slice(-HISTORY_LIMIT),
        future: [],
        historyKey: key,
        historyAt: at,
      });
    };

    /** Whether the graph may change; editing actions return early when not. */
    const editable = () => !get().readOnly;

    const selectedIds = () => new Set(get().nodes.filter((n) => n.selected).map((n) => n.id));

    /** Copies of nodes and of the edges between them, with fresh ids, shifted and selected. */
    const cloneInto = (source: GraphSnapshot, offset: number) => {
      const state = get();
      if (state.readOnly) return;
      const taken = new Set(state.nodes.map((n) => n.id));
      const ids = new Map<string, string>();
      const nodes = source.nodes.map((node): FlowNode => {
        const id = nextNodeId(node.data.nodeType, taken);
        taken.add(id);
        ids.set(node.id, id);
        return {
          id,
          type: "pipeline",
          position: { x: node.position.x + offset, y: node.position.y + offset },
          data: structuredClone(node.data),
          selected: true,
        };
      });
      const edges = source.edges.flatMap((edge) => {
        const from = ids.get(edge.source);
        const to = ids.get(edge.target);
        return from && to ? [toFlowEdge({ from, to, fromPort: edge.sourceHandle ?? "out", toPort: edge.targetHandle ?? "in" })] : [];
      });
      record();
      set({
        nodes: [...state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...nodes],
        edges: [...state.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...edges],
        dirty: true,
      });
    };

    const selectionSnapshot = (): GraphSnapshot | null => {
      const ids = selectedIds();
      if (ids.size === 0) return null;
      const state = get();
      return {
        name: state.name,
        nodes: state.nodes.filter((n) => ids.has(n.id)),
        edges: state.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
      };
    };

    return {
      pipelineId: init.pipelineId,
      baseVersion: init.baseVersion,
      name: init.graph.name,
      nodes: init.graph.nodes,
      edges: init.graph.edges,
      params: init.graph.params,
      dirty: false,
      readOnly: init.readOnly ?? false,
      past: [],
      future: [],
      clipboard: null,
      pasteCount: 0,
      problems: EMPTY_PROBLEMS,
      columns: {},
      files: {},
      run: null,
      notice: null,
      historyKey: null,
      historyAt: 0,
      revision: 0,

      onNodesChange(allChanges) {
        // Read-only, nodes can still be selected (to see their settings and data) and measured.
        const changes = editable() ? allChanges : allChanges.filter((c) => c.type === "select" || c.type === "dimensions");
        const moves = changes.some((c) => c.type === "position" || c.type === "remove" || c.type === "add" || c.type === "replace");
        if (changes.some((c) => c.type === "remove")) record();
        set((state) => ({ nodes: applyNodeChanges(changes, state.nodes), ...(moves ? { dirty: true } : {}) }));
      },

      onEdgesChange(allChanges) {
        const changes = editable() ? allChanges : allChanges.filter((c) => c.type === "select");
        const edits = changes.some((c) => c.type !== "select");
        if (changes.some((c) => c.type === "remove")) record();
        set((state) => ({ edges: applyEdgeChanges(changes, state.edges), ...(edits ? { dirty: true } : {}) }));
      },

      beginDrag() {
        if (editable()) record();
      },

      addNode(type, position) {
        const definition = registry.get(type);
        if (!definition) throw new Error(`Unknown node type "${type}"`);
        const state = get();
        if (state.readOnly) throw new Error("This version is read-only: restore it as unsaved changes to add nodes");
        const id = nextNodeId(type, new Set(state.nodes.map((n) => n.id)));
        const at = position ?? {
          x: (state.nodes.reduce((max, n) => Math.max(max, n.position.x), -280) + 280),
          y: state.nodes.length === 0 ? 0 : (state.nodes.at(-1)?.position.y ?? 0),
        };
        record();
        set({
          nodes: [
            ...state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
            { id, type: "pipeline", position: at, data: { nodeType: type, version: definition.version, config: {} }, selected: true },
          ],
          dirty: true,
        });
        return id;
      },

      connect(connection) {
        const state = get();
        if (state.readOnly) return "this version is read-only: restore it as unsaved changes to edit it";
        const problem = connectionProblem(connection, state.nodes, state.edges, registry);
        if (problem) return problem;
        record();
        set({
          edges: [
            ...state.edges,
            toFlowEdge({
              from: connection.source,
              to: connection.target,
              fromPort: connection.sourceHandle ?? "out",
              toPort: connection.targetHandle ?? "in",
            }),
          ],
          dirty: true,
        });
        return null;
      },

      removeEdge(id) {
        if (!editable()) return;
        record();
        set((state) => ({ edges: state.edges.filter((e) => e.id !== id), dirty: true }));
      },

      updateConfig(nodeId, config) {
        if (!editable()) return;
        record(`config:${nodeId}`);
        set((state) => ({
          nodes: state.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, config } } : n)),
          dirty: true,
        }));
      },

      setLabel(nodeId, label) {
        if (!editable()) return;
        record(`label:${nodeId}`);
        set((state) => ({
          nodes: state.nodes.map((n) => {
            if (n.id !== nodeId) return n;
            const { label: _old, ...data } = n.data;
            return { ...n, data: label.trim() === "" ? data : { ...data, label } };
          }),
          dirty: true,
        }));
      },

      rename(name) {
        if (!editable()) return;
        set({ name });
      },

      setParams(params) {
        if (!editable()) return;
        record("params");
        set({ params, dirty: true });
      },

      select(ids) {
        const wanted = new Set(ids);
        set((state) => ({
          nodes: state.nodes.map((n) => (Boolean(n.selected) === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) })),
          edges: state.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        }));
      },

      selectAll() {
        set((state) => ({ nodes: state.nodes.map((n) => (n.selected ? n : { ...n, selected: true })) }));
      },

      deleteSelection() {
        const state = get();
        if (state.readOnly) return;
        const nodes = selectedIds();
        const edges = new Set(state.edges.filter((e) => e.selected).map((e) => e.id));
        if (nodes.size === 0 && edges.size === 0) return;
        record();
        set({
          nodes: state.nodes.filter((n) => !nodes.has(n.id)),
          edges: state.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
          dirty: true,
        });
      },

      duplicateSelection() {
        const selection = selectionSnapshot();
        if (selection) cloneInto(selection, PASTE_OFFSET);
      },

      copySelection() {
        const selection = selectionSnapshot();
        if (selection) set({ clipboard: structuredClone(selection), pasteCount: 0 });
      },

      paste() {
        const { clipboard, pasteCount } = get();
        if (!clipboard) return;
        cloneInto(clipboard, PASTE_OFFSET * (pasteCount + 1));
        set({ pasteCount: pasteCount + 1 });
      },

      undo() {
        const state = get();
        const previous = state.past.at(-1);
        if (!previous || state.readOnly) return;
        set({
          ...previous,
          // The name is saved the moment it changes: undo steps through the graph, not renames.
          name: state.name,
          past: state.past.slice(0, -1),
          future: [snapshotOf(state), ...state.future],
          dirty: true,
          historyKey: null,
          revision: state.revision + 1,
        });
      },

      redo() {
        const state = get();
        const next = state.future[0];
        if (!next || state.readOnly) return;
        set({
          ...next,
          name: state.name,
          past: [...state.past, snapshotOf(state)],
          future: state.future.slice(1),
          dirty: true,
          historyKey: null,
          revision: state.revision + 1,
        });
      },

      autoLayout() {
        const state = get();
        if (state.nodes.length === 0 || state.readOnly) return;
        record();
        set({ nodes: layoutGraph(state.nodes, state.edges), dirty: true });
      },

      load(snapshot, options) {
        if (options.keepHistory) record();
        set({
          ...snapshotOf(snapshot),
          dirty: options.dirty,
          ...(options.baseVersion !== undefined ? { baseVersion: options.baseVersion } : {}),
          ...(options.readOnly !== undefined ? { readOnly: options.readOnly } : {}),
          ...(options.keepHistory ? {} : { past: [], future: [] }),
          historyKey: null,
          revision: get().revision + 1,
          problems: EMPTY_PROBLEMS,
          columns: {},
        });
      },

      markSaved(version, saved) {
        const state = get();
        const unchanged = state.nodes === saved.nodes && state.edges === saved.edges && state.name === saved.name && state.params === saved.params;
        set({ baseVersion: version, dirty: state.dirty && !unchanged });
      },

      setValidation(result, sentEdges) {
        const byNode: Record<string, GraphProblem[]> = {};
        const byEdge: Record<string, GraphProblem[]> = {};
        for (const problem of result.problems) {
          const edge = problem.edgeIndex !== undefined ? sentEdges[problem.edgeIndex] : undefined;
          if (edge) {
            const id = edgeId({ from: edge.from, to: edge.to, fromPort: edge.fromPort ?? "out", toPort: edge.toPort ?? "in" });
            (byEdge[id] ??= []).push(problem);
          } else if (problem.nodeId !== undefined) {
            (byNode[problem.nodeId] ??= []).push(problem);
          }
        }
        set((state) => ({
          problems: { byNode, byEdge, all: result.problems },
          columns: result.columns,
          files: result.files ? { ...state.files, ...result.files } : state.files,
        }));
      },

      setRun(run) {
        set({ run });
      },

      notify(message, kind = "error") {
        noticeId += 1;
        set({ notice: { id: noticeId, kind, message } });
      },

      dismissNotice(id) {
        if (get().notice?.id === id) set({ notice: null });
      },
    };
  });
}
