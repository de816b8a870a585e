import { describe, expect, it } from "vitest";
import type { NodeDefinition } from "@/nodes/contract";
import postgres from "@/nodes/destinations/postgres";
import { createRegistry } from "@/nodes/registry";
import csv from "@/nodes/sources/csv";
import join from "@/nodes/transform/join";
import validate from "@/nodes/validate/validate";
import { fromPipelineGraph, toPipelineGraph } from "./graph";
import { createEditorStore, HISTORY_LIMIT } from "./store";

const registry = createRegistry([csv, validate, join, postgres] as NodeDefinition[]);

function editor(clock = { t: 0 }) {
  return createEditorStore({
    registry,
    pipelineId: "p",
    baseVersion: 1,
    graph: { name: "Air", nodes: [], edges: [] },
    now: () => clock.t,
  });
}

/** csv_1 → validate_1 → postgres_1 */
function chain() {
  const clock = { t: 0 };
  const store = editor(clock);
  const s = store.getState();
  const src = s.addNode("source.csv", { x: 0, y: 0 });
  const val = s.addNode("validate", { x: 300, y: 0 });
  const dst = s.addNode("destination.postgres", { x: 600, y: 0 });
  expect(s.connect({ source: src, sourceHandle: "out", target: val, targetHandle: "in" })).toBeNull();
  expect(s.connect({ source: val, sourceHandle: "out", target: dst, targetHandle: "in" })).toBeNull();
  return { store, clock, src, val, dst };
}

describe("editor store", () => {
  it("names new nodes after their type, selects the new one and marks the pipeline dirty", () => {
    const store = editor();
    const a = store.getState().addNode("source.csv");
    const b = store.getState().addNode("source.csv");
    expect([a, b]).toEqual(["csv_1", "csv_2"]);
    const { nodes, dirty } = store.getState();
    expect(nodes.map((n) => [n.id, Boolean(n.selected)])).toEqual([["csv_1", false], ["csv_2", true]]);
    expect(nodes[0]?.data).toEqual({ nodeType: "source.csv", version: 1, config: {} });
    expect(dirty).toBe(true);
  });

  it("undoes and redoes every step, and a new edit clears redo", () => {
    const { store } = chain();
    expect(store.getState().edges).toHaveLength(2);
    store.getState().undo();
    expect(store.getState().edges).toHaveLength(1);
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().nodes.map((n) => n.id)).toEqual(["csv_1", "validate_1"]);
    store.getState().redo();
    expect(store.getState().nodes).toHaveLength(3);
    store.getState().addNode("validate");
    expect(store.getState().future).toEqual([]);
    store.getState().redo();
    expect(store.getState().edges).toHaveLength(0);
  });

  it("makes typing into one node's config one undo step, and edits further apart separate steps", () => {
    const { store, clock, src } = chain();
    const steps = store.getState().past.length;
    for (const file of ["u", "up", "upl"]) {
      clock.t += 200;
      store.getState().updateConfig(src, { file });
    }
    expect(store.getState().past.length).toBe(steps + 1);
    clock.t += 5000;
    store.getState().updateConfig(src, { file: "upload:x" });
    expect(store.getState().past.length).toBe(steps + 2);
    store.getState().undo();
    expect(store.getState().nodes[0]?.data.config).toEqual({ file: "upl" });
    store.getState().undo();
    expect(store.getState().nodes[0]?.data.config).toEqual({});
  });

  it(`keeps at most ${HISTORY_LIMIT} undo steps`, () => {
    const store = editor();
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) store.getState().addNode("validate");
    expect(store.getState().past).toHaveLength(HISTORY_LIMIT);
  });

  it("refuses connections with a reason and leaves the graph unchanged", () => {
    const { store, src, val, dst } = chain();
    const s = store.getState();
    const other = s.addNode("source.csv");
    expect(s.connect({ source: other, sourceHandle: "out", target: val, targetHandle: "in" })).toMatch(
      /input "Records" of Validate \(validate_1\) is already connected to CSV file \(csv_1\)/,
    );
    expect(s.connect({ source: val, sourceHandle: "out", target: val, targetHandle: "in" })).toBe("a node cannot feed itself");
    expect(s.connect({ source: dst, sourceHandle: "in", target: val, targetHandle: "in" })).toMatch(/both ends are inputs/);
    expect(s.connect({ source: src, sourceHandle: "out", target: other, targetHandle: "out" })).toMatch(/both ends are outputs/);
    const extra = s.addNode("validate");
    s.connect({ source: val, sourceHandle: "out", target: extra, targetHandle: "in" });
    const loopBack = s.addNode("transform.join");
    expect(s.connect({ source: extra, sourceHandle: "out", target: loopBack, targetHandle: "left" })).toBeNull();
    expect(s.connect({ source: loopBack, sourceHandle: "out", target: src, targetHandle: "in" })).toMatch(/has no input "in"/);
    const v2 = s.addNode("validate");
    s.connect({ source: loopBack, sourceHandle: "out", target: v2, targetHandle: "in" });
    expect(s.connect({ source: v2, sourceHandle: "out", target: loopBack, targetHandle: "right" })).toBe(
      `this connection would make a cycle: ${loopBack} → ${v2} → ${loopBack}`,
    );
    expect(store.getState().edges).toHaveLength(5);
  });

  it("deletes selected nodes with their edges", () => {
    const { store, val } = chain();
    store.getState().select([val]);
    store.getState().deleteSelection();
    expect(store.getState().nodes.map((n) => n.id)).toEqual(["csv_1", "postgres_1"]);
    expect(store.getState().edges).toEqual([]);
    store.getState().undo();
    expect(store.getState().edges).toHaveLength(2);
  });

  it("pastes copies with fresh ids, shifted, keeping only the edges inside the selection, as often as asked", () => {
    const { store, src, val, dst } = chain();
    store.getState().updateConfig(src, { file: "upload:abc" });
    store.getState().select([src, val]);
    store.getState().copySelection();
    store.getState().paste();
    store.getState().paste();
    const { nodes, edges } = store.getState();
    expect(nodes.map((n) => n.id)).toEqual([src, val, dst, "csv_2", "validate_2", "csv_3", "validate_3"]);
    expect(nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["csv_3", "validate_3"]);
    expect(nodes.find((n) => n.id === "csv_2")?.position).toEqual({ x: 40, y: 40 });
    expect(nodes.find((n) => n.id === "csv_3")?.position).toEqual({ x: 80, y: 80 });
    expect(nodes.find((n) => n.id === "csv_2")?.data.config).toEqual({ file: "upload:abc" });
    expect(edges.map((e) => `${e.source}->${e.target}`)).toEqual([
      `${src}->${val}`,
      `${val}->${dst}`,
      "csv_2->validate_2",
      "csv_3->validate_3",
    ]);
    // The copy is independent of the original.
    store.getState().updateConfig("csv_2", { file: "upload:other" });
    expect(store.getState().nodes[0]?.data.config).toEqual({ file: "upload:abc" });
  });

  it("duplicates the selection next to it", () => {
    const { store, dst } = chain();
    store.getState().select([dst]);
    store.getState().duplicateSelection();
    expect(store.getState().nodes.at(-1)).toMatchObject({ id: "postgres_2", position: { x: 640, y: 40 }, selected: true });
  });

  it("places validation problems on the nodes and on the edges (by their index in the graph that was checked)", () => {
    const { store, src, val } = chain();
    const sent = toPipelineGraph(store.getState()).edges;
    store.getState().setValidation(
      {
        problems: [
          { nodeId: src, path: ["file"], code: "config", message: "csv_1: file: choose an uploaded file" },
          { nodeId: val, edgeIndex: 1, path: ["edges", 1], code: "duplicate-input", message: "x" },
          { path: ["name"], code: "format", message: "name: a pipeline needs a name" },
        ],
        columns: { [src]: null },
      },
      sent,
    );
    const { problems } = store.getState();
    expect(Object.keys(problems.byNode)).toEqual([src]);
    expect(Object.keys(problems.byEdge)).toEqual(["validate_1:out->postgres_1:in"]);
    expect(problems.all).toHaveLength(3);
  });

  it("auto-layout places nodes left to right in dependency order", () => {
    const { store, src, val, dst } = chain();
    store.getState().load(
      {
        ...store.getState(),
        nodes: store.getState().nodes.map((n, i) => ({ ...n, position: { x: 500 - i * 200, y: i * 300 } })),
      },
      { dirty: false },
    );
    store.getState().autoLayout();
    const x = (id: string) => store.getState().nodes.find((n) => n.id === id)!.position.x;
    expect(x(src)).toBeLessThan(x(val));
    expect(x(val)).toBeLessThan(x(dst));
    expect(store.getState().dirty).toBe(true);
  });

  it("round-trips pipeline JSON", () => {
    const graph = {
      format: 1 as const,
      name: "Air",
      nodes: [
        { id: "src", type: "source.csv", version: 1, label: "Stations", config: { file: "upload:1" }, position: { x: 1, y: 2 } },
        { id: "val", type: "validate", config: { rules: [] }, position: { x: 300, y: 2 }, retry: { attempts: 3 } },
      ],
      edges: [{ from: "src", to: "val", fromPort: "out", toPort: "in" }],
    };
    expect(toPipelineGraph(fromPipelineGraph(graph))).toEqual(graph);
  });

  it("opens an old version read-only: nodes can be selected but nothing changes until it is loaded as unsaved changes", () => {
    const { store, src, val, dst } = chain();
    const graph = { name: "Air", nodes: store.getState().nodes, edges: store.getState().edges };
    const viewer = createEditorStore({ registry, pipelineId: "p", baseVersion: 1, graph, readOnly: true });
    const s = viewer.getState();
    const before = JSON.stringify(toPipelineGraph(viewer.getState()));

    s.onNodesChange([
      { type: "select", id: src, selected: true },
      { type: "position", id: src, position: { x: 500, y: 500 } },
      { type: "remove", id: val },
    ]);
    s.onEdgesChange([{ type: "remove", id: viewer.getState().edges[0]!.id }]);
    s.updateConfig(src, { file: "upload:x" });
    s.setLabel(src, "Stations");
    s.rename("Renamed");
    s.removeEdge(viewer.getState().edges[0]!.id);
    s.deleteSelection();
    s.duplicateSelection();
    s.copySelection();
    s.paste();
    s.autoLayout();
    expect(s.connect({ source: src, sourceHandle: "out", target: dst, targetHandle: "in" })).toMatch(/read-only/);
    expect(() => s.addNode("validate")).toThrow(/read-only/);

    expect(JSON.stringify(toPipelineGraph(viewer.getState()))).toBe(before);
    expect(viewer.getState().nodes.find((n) => n.id === src)?.selected).toBe(true);
    expect(viewer.getState().dirty).toBe(false);
    expect(viewer.getState().past).toEqual([]);

    viewer.getState().load(graph, { dirty: true, baseVersion: 3, readOnly: false });
    expect(viewer.getState()).toMatchObject({ readOnly: false, dirty: true, baseVersion: 3 });
    viewer.getState().rename("Renamed");
    expect(viewer.getState().name).toBe("Renamed");
  });
});
