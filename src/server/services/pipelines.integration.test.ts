import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { GraphInvalidError } from "../errors";
import { createPipeline, updatePipeline } from "./pipelines";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
beforeAll(async () => {
  env = await createEngineEnvironment();
});
afterAll(() => env?.close());

function graph(fileId: string, expression: string, withDestination = true) {
  return {
    format: 1,
    name: "filtered",
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${fileId}` } },
      { id: "keep", type: "transform.filter", config: { expression } },
      ...(withDestination ? [{ id: "dst", type: "destination.postgres", config: { table: "t", mode: "append" } }] : []),
    ],
    edges: [{ from: "src", to: "keep" }, ...(withDestination ? [{ from: "keep", to: "dst" }] : [])],
  };
}

describe("saving a pipeline", () => {
  it("refuses an expression outside the allowed subset, naming the node, the position and the reason", async () => {
    const file = await env.upload("a.csv", "aqi,city\n1,Oslo\n");
    const refused = await createPipeline(env.ctx, { graph: graph(file.id, "aqi > 1 AND pg_sleep(10) IS NULL") }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GraphInvalidError);
    const problem = (refused as GraphInvalidError).problems[0]!;
    expect(problem).toMatchObject({ nodeId: "keep", path: ["expression"] });
    expect(problem.message).toMatch(/pg_sleep/);
    expect(problem.message).toMatch(/column 13|position 13|line 1/i);
  });

  it("refuses an expression naming a column the upstream does not produce", async () => {
    const file = await env.upload("a.csv", "aqi,city\n1,Oslo\n");
    await expect(createPipeline(env.ctx, { graph: graph(file.id, "pm25 > 10") })).rejects.toThrow(/pm25/);
  });

  it("saves unfinished wiring, and a valid expression as a new version", async () => {
    const file = await env.upload("a.csv", "aqi,city\n1,Oslo\n");
    const unfinished = { ...graph(file.id, "aqi > 1"), edges: [] };
    const created = await createPipeline(env.ctx, { graph: unfinished });
    expect(created.version).toBe(1);
    expect(await updatePipeline(env.ctx, created.id, { graph: graph(file.id, "aqi > 1") })).toMatchObject({ version: 2 });
  });
});
