import { describe, expect, it } from "vitest";
import { checkGraph } from "./graph";
import { problemText } from "./problems";
import { registry } from "./registry";

const problemsOf = (node: { id: string; type: string; config: Record<string, unknown> }) =>
  checkGraph({ format: 1, name: "p", nodes: [{ ...node, position: { x: 0, y: 0 } }], edges: [] }, { registry, upload: () => undefined }).problems.filter((p) => p.code === "config");

describe("problem wording", () => {
  it("strips the node id and config path graph checking puts in front of a message", () => {
    expect(problemText({ nodeId: "val", path: ["rules", 0, "field"], message: 'val: rules.0.field: the input has no field "x"' })).toBe('the input has no field "x"');
    expect(problemText({ path: ["name"], message: "name: a pipeline needs a name" })).toBe("a pipeline needs a name");
  });

  it("says a missing setting is required, by the title its form shows, instead of zod's type wording", () => {
    const [url] = problemsOf({ id: "http_1", type: "source.http", config: {} });
    expect(url).toMatchObject({ path: ["url"], message: "http_1: url: URL is required" });
    expect(problemText(url!)).toBe("URL is required");
    const [file] = problemsOf({ id: "csv_1", type: "source.csv", config: {} });
    expect(problemText(file!)).toBe("File is required");
    const [cursor] = problemsOf({ id: "h", type: "source.http", config: { url: "/x", pagination: { type: "cursor" } } });
    expect(problemText(cursor!)).toBe("Cursor path is required");
  });
});
