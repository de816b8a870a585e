import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "@/server/engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "@/server/jobs/worker";
import { callerFor } from "@/server/testing/callers";
import { GET, POST, PUT } from "./route";

const ADMIN_TOKEN = "admin-secret-for-params-0123456789";
const HOSTILE = "'; DROP TABLE params_victim; --";
const CSV = ["city,aqi", "Oslo,10", "Bergen,20", "Oslo,30", `${HOSTILE},40`, "Tromsø,50"].join("\n");

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;
let pipelineId: string;

const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
const api = (method: "GET" | "POST" | "PUT", path: string, body?: unknown) => {
  const handler = method === "GET" ? GET : method === "PUT" ? PUT : POST;
  return handler(new Request(`http://localhost/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
};

const PARAMS = [
  { name: "city", type: "string", required: true, description: "Only rows of this city are loaded" },
  { name: "factor", type: "number", default: 1 },
  { name: "table", type: "string", default: "params_rows" },
];

function graph(fileId: string, expression = "city = {{params.city}}") {
  return {
    format: 1,
    name: "Parameterized",
    params: PARAMS,
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${fileId}` } },
      { id: "keep", type: "transform.filter", config: { expression } },
      { id: "scaled", type: "transform.derive", config: { column: "scaled", expression: "aqi * {{params.factor}}" } },
      { id: "dst", type: "destination.postgres", config: { table: "{{params.table}}", mode: "append" } },
    ],
    edges: [
      { from: "src", to: "keep" },
      { from: "keep", to: "scaled" },
      { from: "scaled", to: "dst" },
    ],
  };
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: { code: string; message: string; field?: string; problems?: unknown[] } }).error };
}

async function runCount() {
  return env.ctx.prisma.run.count({ where: { pipelineId } });
}

async function runWith(params: Record<string, unknown>) {
  const started = await api("POST", `/pipelines/${pipelineId}/runs`, { params });
  expect(started.status).toBe(202);
  const { runId } = (await started.json()) as { runId: string };
  const run = await env.waitForRun(runId);
  expect(run.status, JSON.stringify(run.nodes.map((n) => n.error))).toBe("succeeded");
  return run;
}

beforeAll(async () => {
  env = await createEngineEnvironment({ SLUICE_API_TOKEN: ADMIN_TOKEN });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
  const file = await env.upload("cities.csv", CSV);
  const created = await api("POST", "/pipelines", { graph: graph(file.id) });
  expect(created.status).toBe(201);
  pipelineId = ((await created.json()) as { id: string }).id;
  await env.db.pool.query("CREATE TABLE params_victim (id int)");
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
  delete process.env.SLUICE_API_TOKEN;
});

describe("run parameters", () => {
  it("filter by {{params.city}}: a run with city Oslo loads only Oslo rows, with the other settings from parameters too", async () => {
    const run = await runWith({ city: "Oslo", factor: "2", table: "params_oslo" });
    const loaded = await env.db.pool.query<{ city: string; scaled: number }>("SELECT city, scaled FROM public.params_oslo ORDER BY aqi");
    expect(loaded.rows).toEqual([
      { city: "Oslo", scaled: 20 },
      { city: "Oslo", scaled: 60 },
    ]);
    // The run records the values it used, converted to their types.
    const shown = (await (await api("GET", `/runs/${run.id}`)).json()) as { params: unknown };
    expect(shown.params).toEqual({ city: "Oslo", factor: 2, table: "params_oslo" });
  });

  it("fills defaults for parameters a run leaves out", async () => {
    const run = await runWith({ city: "Bergen" });
    expect(run.params).toEqual({ city: "Bergen", factor: 1, table: "params_rows" });
    const loaded = await env.db.pool.query("SELECT city, scaled FROM public.params_rows");
    expect(loaded.rows).toEqual([{ city: "Bergen", scaled: 20 }]);
  });

  it("treats a hostile value as data: it matches the one row holding that text and runs nothing", async () => {
    await runWith({ city: HOSTILE, table: "params_hostile" });
    const loaded = await env.db.pool.query("SELECT city, aqi::int FROM public.params_hostile");
    expect(loaded.rows).toEqual([{ city: HOSTILE, aqi: 40 }]);
    expect((await env.db.pool.query("SELECT to_regclass('public.params_victim') AS t")).rows[0]?.t).toBe("params_victim");
  });

  it.each([
    ["an undeclared parameter", { city: "Oslo", town: "Bergen" }, "params.town", /"town" is not a parameter of this pipeline \(it declares city, factor, table\)/],
    ["a missing required parameter", { factor: 2 }, "params.city", /"city" is required/],
    ["a mistyped parameter", { city: "Oslo", factor: "two" }, "params.factor", /"factor" must be a number such as 42 or -2.5, not "two"/],
    ["a number that would lose digits", { city: "Oslo", factor: "12345678901234567890" }, "params.factor", /more than 15 digits/],
  ])("refuses %s over REST with 400 naming it, and starts nothing", async (_, params, field, reason) => {
    const before = await runCount();
    const refused = await errorOf(await api("POST", `/pipelines/${pipelineId}/runs`, { params }));
    expect(refused).toMatchObject({ status: 400, code: "invalid_request", field });
    expect(refused.message).toMatch(reason);
    expect(await runCount()).toBe(before);
  });

  it("refuses the same over tRPC with BAD_REQUEST", async () => {
    const { caller } = await callerFor("editor", { workspaceId: env.ctx.workspaceId });
    await expect(caller.runs.start({ pipelineId, params: { town: "Oslo", city: "Oslo" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining('"town" is not a parameter of this pipeline'),
    });
  });

  it("refuses to save a reference to an undeclared parameter, naming the node and the field", async () => {
    const file = await env.upload("again.csv", CSV);
    const refused = await errorOf(await api("PUT", `/pipelines/${pipelineId}`, { graph: graph(file.id, "city = {{params.town}}") }));
    expect(refused).toMatchObject({ status: 400, code: "graph_invalid" });
    expect(refused.problems).toContainEqual(expect.objectContaining({ nodeId: "keep", path: ["expression"], code: "params" }));
    expect(refused.message).toContain("keep: expression: {{params.town}} names no declared parameter (declared: city, factor, table)");
    const created = await errorOf(await api("POST", "/pipelines", { graph: { ...graph(file.id), params: undefined } }));
    expect(created.message).toContain("{{params.city}} names no declared parameter: declare it under Parameters");
  });

  it("refuses a declaration whose default does not fit its type", async () => {
    const file = await env.upload("third.csv", CSV);
    const refused = await errorOf(
      await api("POST", "/pipelines", { graph: { ...graph(file.id), params: [...PARAMS.slice(0, 2), { name: "table", type: "number", default: "params_rows" }] } }),
    );
    expect(refused).toMatchObject({ status: 400 });
    expect(refused.message).toContain('the default of "table" must be a number');
  });
});
