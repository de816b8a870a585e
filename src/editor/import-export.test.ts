import { describe, expect, it } from "vitest";
import { registry } from "@/nodes/registry";
import { exportFileName, parseImportedPipeline } from "./import-export";

const good = {
  format: 1,
  name: "Air quality",
  nodes: [
    { id: "src", type: "source.csv", config: { file: "upload:0b6f1f2e-6a43-4a4b-9a51-3d1c2e1f0a11" }, position: { x: 0, y: 0 } },
    { id: "dst", type: "destination.postgres", config: { table: "air", mode: "append" }, position: { x: 300, y: 0 } },
  ],
  edges: [{ from: "src", to: "dst" }],
};

describe("importing a pipeline JSON file", () => {
  it("accepts a valid file, even when its uploads are not on this server", () => {
    const result = parseImportedPipeline(JSON.stringify(good), registry);
    expect(result.ok && result.graph.edges).toEqual([{ from: "src", to: "dst", fromPort: "out", toPort: "in" }]);
  });

  it("says when the file is not JSON", () => {
    const result = parseImportedPipeline("{ nope", registry);
    expect(result.ok ? [] : result.errors[0]).toMatch(/^The file is not JSON: /);
  });

  it("names every envelope problem with its place in the file", () => {
    const result = parseImportedPipeline(JSON.stringify({ format: 2, name: "", nodes: [{ id: "1x", type: "source.csv" }], edges: [] }), registry);
    expect(result.ok ? [] : result.errors).toEqual([
      "format: Invalid input: expected 1",
      "name: a pipeline needs a name",
      "nodes.0.id: a node id starts with a letter and has at most 48 letters, digits, '-' or '_'",
    ]);
  });

  it("refuses unknown node types, bad configs, dangling edges and cycles", () => {
    const bad = {
      ...good,
      nodes: [...good.nodes, { id: "x", type: "transform.magic", config: {} }, { id: "d2", type: "destination.postgres", config: { mode: "upsert", table: "t" } }],
      edges: [...good.edges, { from: "src", to: "ghost" }],
    };
    const result = parseImportedPipeline(JSON.stringify(bad), registry);
    expect(result.ok ? [] : result.errors).toEqual([
      'x: unknown node type "transform.magic"',
      "d2: key: upsert needs at least one key column",
      "edge src → ghost points at ghost, which is not a node",
    ]);
  });

  it("names exported files after the pipeline", () => {
    expect(exportFileName("Air quality (daily)")).toBe("air-quality-daily.pipeline.json");
    expect(exportFileName("!!!")).toBe("pipeline.pipeline.json");
  });
});
