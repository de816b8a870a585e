import { describe, expect, it } from "vitest";
import type { Column } from "./contract";
import { compileExpression } from "./expression/expression";
import { checkGraph } from "./graph";
import { coerceParamValue, expressionAtDesignTime, resolveRunParams, type TParamDeclaration } from "./params";
import { ZPipelineGraph } from "./pipeline";
import { registry } from "./registry";
import { render } from "./sql";

const COLUMNS: Column[] = [
  { name: "city", type: "string" },
  { name: "aqi", type: "integer" },
];
const upload = (id: string) => (id === "known" || id === "other" ? { id, filename: `${id}.csv`, columns: COLUMNS } : undefined);

const declared: TParamDeclaration[] = [
  { name: "city", type: "string", required: true },
  { name: "limit", type: "number", default: 100 },
  { name: "since", type: "date" },
  { name: "file", type: "string", default: "known" },
];

const graph = (filter: string, extra: object = {}) => ({
  format: 1,
  name: "p",
  params: declared,
  nodes: [
    { id: "src", type: "source.csv", config: { file: "upload:{{params.file}}" } },
    { id: "keep", type: "transform.filter", config: { expression: filter } },
    { id: "dst", type: "destination.postgres", config: { table: "t", mode: "append", ...extra } },
  ],
  edges: [
    { from: "src", to: "keep" },
    { from: "keep", to: "dst" },
  ],
});

describe("run parameters", () => {
  it("converts a value only when nothing is lost", () => {
    expect(coerceParamValue("number", "42")).toEqual({ ok: true, value: 42 });
    expect(coerceParamValue("number", "-2.5")).toEqual({ ok: true, value: -2.5 });
    expect(coerceParamValue("number", "1e3").ok).toBe(false);
    expect(coerceParamValue("number", "042").ok).toBe(false);
    expect(coerceParamValue("number", "12345678901234567890").ok).toBe(false);
    expect(coerceParamValue("number", true).ok).toBe(false);
    expect(coerceParamValue("string", 42)).toEqual({ ok: true, value: "42" });
    expect(coerceParamValue("string", { a: 1 }).ok).toBe(false);
    expect(coerceParamValue("boolean", "true")).toEqual({ ok: true, value: true });
    expect(coerceParamValue("boolean", 1).ok).toBe(false);
    expect(coerceParamValue("date", "2024-02-29")).toEqual({ ok: true, value: "2024-02-29" });
    expect(coerceParamValue("date", "2023-02-29").ok).toBe(false);
  });

  it("refuses unknown and missing required parameters, each by name, and fills defaults", () => {
    expect(resolveRunParams(declared, { city: "Oslo", limit: "7" })).toEqual({ ok: true, values: { city: "Oslo", limit: 7, file: "known" } });
    const refused = resolveRunParams(declared, { town: "Oslo", limit: "many" });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.problems.map((p) => p.name)).toEqual(["town", "city", "limit"]);
    expect(refused.problems[0]!.message).toContain("not a parameter of this pipeline");
    expect(refused.problems[1]!.message).toContain("required");
    expect(refused.problems[2]!.message).toContain("must be a number");
    expect(resolveRunParams([], { x: 1 })).toMatchObject({ ok: false, problems: [{ name: "x" }] });
  });

  it("refuses a default that does not fit its type and two parameters with one name", () => {
    const bad = ZPipelineGraph.safeParse({
      format: 1,
      name: "p",
      nodes: [],
      edges: [],
      params: [
        { name: "n", type: "number", default: "lots" },
        { name: "n", type: "string" },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message).join("\n")).toMatch(/default of "n" must be a number[\s\S]*two parameters are named "n"/);
  });

  it("resolves references in expressions to typed literals and in strings to text", () => {
    const checked = checkGraph(graph("city = {{params.city}} AND aqi < {{ params.limit }}"), { registry, upload, params: { city: "Oslo", limit: 50, file: "other" } });
    expect(checked.problems).toEqual([]);
    expect(checked.nodes[0]!.config).toMatchObject({ file: "upload:other" });
    expect(checked.nodes[1]!.config).toEqual({ expression: "city = CAST('Oslo' AS text) AND aqi < CAST('50' AS number)" });
    // The stored graph keeps the references: a run resolves them again with its own values.
    expect(checked.graph?.nodes[1]!.config).toEqual({ expression: "city = {{params.city}} AND aqi < {{ params.limit }}" });
  });

  it("keeps a hostile value a single text literal, bound as a value", () => {
    const checked = checkGraph(graph("city = {{params.city}}"), { registry, upload, params: { city: "'; DROP TABLE x; --", file: "known" } });
    expect(checked.problems).toEqual([]);
    const compiled = compileExpression((checked.nodes[1]!.config as { expression: string }).expression, COLUMNS);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const rendered = render(compiled.sql);
    expect(rendered.text).not.toContain("DROP");
    expect(rendered.values).toContain("'; DROP TABLE x; --");
  });

  it("checks types with defaults standing in while editing: an undeclared name, a quoted reference and a type mismatch are problems", () => {
    const unknown = checkGraph(graph("city = {{params.town}}"), { registry, upload });
    expect(unknown.problems).toContainEqual(expect.objectContaining({ nodeId: "keep", path: ["expression"], code: "params", message: expect.stringContaining("{{params.town}} names no declared parameter") }));
    const quoted = checkGraph(graph("city = '{{params.city}}'"), { registry, upload });
    expect(quoted.problems).toContainEqual(expect.objectContaining({ nodeId: "keep", code: "params", message: expect.stringContaining("without quotes") }));
    const mistyped = checkGraph(graph("aqi > {{params.since}}"), { registry, upload });
    expect(mistyped.problems.some((p) => p.nodeId === "keep" && p.code === "columns")).toBe(true);
    expect(checkGraph(graph("city = {{params.city}}"), { registry, upload }).problems).toEqual([]);
  });

  it("validates an identifier that came from a parameter like one typed in", () => {
    const checked = checkGraph(graph("TRUE", { table: "{{params.city}}" }), { registry, upload, params: { city: "x".repeat(64), file: "known" } });
    expect(checked.problems).toContainEqual(expect.objectContaining({ nodeId: "dst", path: ["table"] }));
  });

  it("resolves an expression the editor checks while it is typed with defaults, or typed NULLs", () => {
    expect(expressionAtDesignTime("aqi < {{params.limit}} AND city = {{params.city}}", declared)).toBe("aqi < CAST('100' AS number) AND city = CAST(NULL AS text)");
    expect(compileExpression(expressionAtDesignTime("city = {{params.city}} AND aqi < {{params.limit}}", declared)!, COLUMNS).ok).toBe(true);
    expect(expressionAtDesignTime("city = {{params.nope}}", declared)).toBeNull();
    expect(expressionAtDesignTime("city = '{{params.city}}'", declared)).toBeNull();
  });
});
