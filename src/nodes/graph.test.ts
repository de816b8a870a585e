import { describe, expect, it } from "vitest";
import type { Column } from "./contract";
import { checkGraph } from "./graph";
import { registry } from "./registry";

const COLUMNS: Column[] = [
  { name: "station", type: "string" },
  { name: "aqi", type: "integer" },
];
const upload = (id: string) => (id === "known" ? { id, filename: "a.csv", columns: COLUMNS } : undefined);
const check = (graph: unknown) => checkGraph(graph, { registry, upload });

const source = { id: "src", type: "source.csv", config: { file: "upload:known" } };
const select = (id: string, from = "station") => ({ id, type: "transform.select", config: { columns: [{ from }] } });
const destination = { id: "dst", type: "destination.postgres", config: { table: "t", mode: "append" } };

describe("checkGraph", () => {
  it("accepts a connected pipeline and propagates columns through it", () => {
    const checked = check({
      format: 1,
      name: "ok",
      nodes: [source, select("sel"), destination],
      edges: [
        { from: "src", to: "sel" },
        { from: "sel", to: "dst" },
      ],
    });
    expect(checked.problems).toEqual([]);
    expect(checked.nodes.map((n) => n.node.id)).toEqual(["src", "sel", "dst"]);
    expect(checked.nodes[1]!.output).toEqual([{ name: "station", type: "string" }]);
  });

  it("reports every problem at once, each naming its node or edge", () => {
    const checked = check({
      format: 1,
      name: "broken",
      nodes: [
        source,
        { id: "mystery", type: "transform.teleport", config: {} },
        { id: "badcfg", type: "destination.postgres", config: { table: "t", mode: "upsert" } },
        select("wrongcol", "no_such_column"),
        select("lonely"),
        select("a"),
        select("b"),
      ],
      edges: [
        { from: "src", to: "badcfg" },
        { from: "src", to: "wrongcol" },
        { from: "src", to: "ghost" },
        { from: "a", to: "b" },
        { from: "b", to: "a" },
      ],
    });
    const byCode = (code: string) => checked.problems.filter((p) => p.code === code);
    expect(byCode("unknown-type")).toMatchObject([{ nodeId: "mystery" }]);
    expect(byCode("config")).toMatchObject([{ nodeId: "badcfg", path: ["key"] }]);
    expect(byCode("dangling-edge")).toMatchObject([{ edgeIndex: 2, message: expect.stringContaining("ghost") }]);
    expect(byCode("cycle")).toHaveLength(1);
    expect(byCode("cycle")[0]!.message).toMatch(/a → b → a|b → a → b/);
  });

  it("reports an unconnected required input and a rule on a missing column", () => {
    const checked = check({
      format: 1,
      name: "p",
      nodes: [source, select("wrongcol", "no_such_column"), select("lonely")],
      edges: [{ from: "src", to: "wrongcol" }],
    });
    expect(checked.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: "lonely", code: "missing-input" }),
        expect.objectContaining({ nodeId: "wrongcol", code: "columns", message: expect.stringContaining("no_such_column") }),
      ]),
    );
  });

  it("names the field path of an invalid envelope", () => {
    const checked = check({ format: 2, name: "", nodes: [{ id: "9bad", type: "x" }], edges: [] });
    expect(checked.problems.map((p) => p.path.join("."))).toEqual(expect.arrayContaining(["format", "name", "nodes.0.id"]));
  });

  it("refuses a second edge into the same input and a missing upload", () => {
    const checked = check({
      format: 1,
      name: "p",
      nodes: [source, { ...source, id: "src2", config: { file: "upload:missing" } }, select("sel")],
      edges: [
        { from: "src", to: "sel" },
        { from: "src2", to: "sel" },
      ],
    });
    expect(checked.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "duplicate-input", nodeId: "sel", edgeIndex: 1 }),
        expect.objectContaining({ code: "columns", nodeId: "src2", path: ["file"] }),
      ]),
    );
  });
});
