import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "../../../jobs/worker";
import { createConnection, deleteConnection, getConnection } from "../../../services/connections";
import { getLineage } from "../../../services/lineage";
import { previewNode } from "../../../services/preview";
import { startRun } from "../../../services/runs";
import { startApiServer, type ApiAnswer, type ApiRequest } from "../../../testing/api-server";
import { createEngineEnvironment } from "../../testing/engine-harness";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  // Tiny chunks: a run over a few pages commits several checkpoints.
  env = await createEngineEnvironment({ SLUICE_CHUNK_ROWS: "2" });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

const TOKEN = "tok-3f9a-very-secret";

async function api(answer: (request: ApiRequest, index: number) => ApiAnswer) {
  const server = await startApiServer(answer);
  servers.push(server);
  return server;
}

let connections = 0;
async function bearerConnection(baseUrl: string, token = TOKEN): Promise<string> {
  const ctx = { prisma: env.ctx.prisma, workspaceId: env.ctx.workspaceId, actor: "test" };
  const { id } = await createConnection(ctx, { name: `api ${++connections}`, type: "http", config: { baseUrl, auth: { type: "bearer" } }, secrets: { token } });
  return id;
}

const STATIONS = [
  { id: 1, station: "AB001", aqi: 42, updated_at: "2026-01-01T00:00:00Z", extra: { note: "x" } },
  { id: 2, station: "AB002", aqi: "abc", updated_at: "2026-01-01T01:00:00Z" },
  { id: 3, station: "AB003", aqi: 17, updated_at: "2026-01-01T03:00:00Z" },
  [1, 2, 3],
  { id: 5, station: "bad", aqi: 99, updated_at: "2026-01-01T02:00:00Z" },
];

/** Cursor-paged stations, two per page, for requests with the right bearer token; `since` filters by updated_at. */
function stationsApi(records: readonly unknown[] = STATIONS) {
  return (request: ApiRequest): ApiAnswer => {
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return { status: 401, json: { message: "bad token" } };
    const since = request.url.searchParams.get("since");
    const visible = records.filter((r) => since === null || (typeof r === "object" && r !== null && "updated_at" in r && String(r.updated_at) > since));
    const at = Number(request.url.searchParams.get("cursor") ?? "0");
    const next = at + 2 < visible.length ? String(at + 2) : null;
    return { json: { data: { items: visible.slice(at, at + 2) }, meta: { next } } };
  };
}

function graph(connection: string, table: string, source: Record<string, unknown> = {}) {
  return {
    nodes: [
      {
        id: "src",
        type: "source.http",
        config: {
          url: "/v1/stations",
          connection,
          records: "data.items",
          pagination: { type: "cursor", cursorPath: "meta.next", param: "cursor" },
          columns: { id: "integer", station: "string", aqi: "integer", updated_at: "timestamp" },
          retries: 0,
          ...source,
        },
      },
      { id: "val", type: "validate", config: { rules: [{ field: "station", type: "string", required: true, pattern: "[A-Z]{2}[0-9]{3}" }] } },
      { id: "dst", type: "destination.postgres", config: { table, mode: "upsert", key: ["id"] } },
    ],
    edges: [
      { from: "src", to: "val" },
      { from: "val", to: "dst" },
    ],
  };
}

async function runOf(pipelineId: string) {
  const { runId } = await startRun(env.ctx, { pipelineId, trigger: "manual" });
  return env.waitForRun(runId);
}

describe("source.http in a pipeline", () => {
  it("pages through an authenticated API into a table, quarantining what does not fit with its raw JSON, with lineage naming the request", async () => {
    const server = await api(stationsApi());
    const pipeline = await env.pipeline(graph(await bearerConnection(server.url), "http_stations"));
    const run = await runOf(pipeline.id);
    expect(run.error).toBeNull();
    const node = (id: string) => run.nodes.find((n) => n.nodeId === id)!;
    expect(node("src")).toMatchObject({ status: "succeeded", rowsIn: 5n, rowsOut: 3n, rowsRejected: 2n });
    expect(node("val")).toMatchObject({ rowsIn: 3n, rowsOut: 2n, rowsRejected: 1n });
    expect(server.requests.map((r) => r.url.search)).toEqual(["", "?cursor=2", "?cursor=4"]);

    const loaded = await env.db.pool.query(`SELECT id, station, aqi, _sluice_lineage_id AS lineage FROM http_stations ORDER BY id`);
    expect(loaded.rows.map((r) => [Number(r.id), r.station, Number(r.aqi)])).toEqual([
      [1, "AB001", 42],
      [3, "AB003", 17],
    ]);

    const quarantined = await env.db.pool.query<{ node_id: string; record: Record<string, unknown>; errors: { field: string; message: string }[] }>(
      `SELECT node_id, record, errors FROM quarantined_records WHERE run_id = $1 ORDER BY lineage_id`,
      [run.id],
    );
    const bySource = quarantined.rows.filter((r) => r.node_id === "src");
    expect(bySource.map((r) => r.errors[0]!.message)).toEqual([expect.stringMatching(/^aqi: .*abc/), expect.stringMatching(/the record is an array, not a JSON object/)]);
    expect(bySource[1]!.record).toEqual({ _raw: "[1,2,3]" });

    const third = loaded.rows[1]!.lineage as string;
    const lineage = await getLineage(env.ctx, third);
    expect(lineage.source).toMatchObject({ nodeId: "src", page: 2, index: 0, request: `${server.url}/v1/stations?cursor=2` });
    expect(lineage.raw).toBe(JSON.stringify(STATIONS[2]));
    expect(JSON.stringify(lineage)).not.toContain(TOKEN);
  });

  it("retries through 5xx, resets and 429 + Retry-After and still loads every record once", async () => {
    const inner = stationsApi();
    const server = await api((request, index) => {
      if (index % 3 === 0) return { status: 503, json: { message: "busy" } };
      if (index % 3 === 1) return index % 2 === 0 ? { reset: true } : { status: 429, headers: { "retry-after": "0" }, json: {} };
      return inner(request);
    });
    const pipeline = await env.pipeline(graph(await bearerConnection(server.url), "http_flaky", { retries: 4 }));
    const run = await runOf(pipeline.id);
    expect(run.error).toBeNull();
    expect(run.nodes.find((n) => n.nodeId === "src")).toMatchObject({ rowsIn: 5n, rowsOut: 3n });
    expect(server.requests.length).toBe(9);
  });

  it("a 401 fails the node naming the URL and the status, never the token", async () => {
    const server = await api(stationsApi());
    const pipeline = await env.pipeline(graph(await bearerConnection(server.url, "wrong-token-123456"), "http_denied"));
    const run = await runOf(pipeline.id);
    expect(run.status).toBe("failed");
    const error = run.nodes.find((n) => n.nodeId === "src")!.error ?? "";
    expect(error).toContain(`GET ${server.url}/v1/stations answered 401 Unauthorized`);
    expect(error).not.toContain("wrong-token-123456");
    expect(JSON.stringify(run, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))).not.toContain("wrong-token-123456");
  });

  it("an HTML page instead of JSON, or a records path the body does not have, fails the node saying so", async () => {
    const html = await api(() => ({ headers: { "content-type": "text/html" }, text: "<!doctype html><html><body>Maintenance</body></html>" }));
    const htmlRun = await runOf((await env.pipeline(graph(await bearerConnection(html.url), "http_html"))).id);
    expect(htmlRun.nodes.find((n) => n.nodeId === "src")!.error).toMatch(/the body is an HTML or XML page, not JSON.*Maintenance/);

    const other = await api(() => ({ json: { results: [{ id: 1 }] } }));
    const pathRun = await runOf((await env.pipeline(graph(await bearerConnection(other.url), "http_path"))).id);
    expect(pathRun.nodes.find((n) => n.nodeId === "src")!.error).toMatch(/the records path "data.items" is not in the body. The body's top-level fields: results/);
  });

  it("incremental: the next run asks past the highest cursor of the last successful run; a failed run moves nothing", async () => {
    const records: { id: number; station: string; aqi: number; updated_at: string }[] = [
      { id: 1, station: "AB001", aqi: 1, updated_at: "2026-02-01T00:00:00Z" },
      { id: 2, station: "AB002", aqi: 2, updated_at: "2026-02-03T00:00:00Z" },
      { id: 3, station: "AB003", aqi: 3, updated_at: "2026-02-02T00:00:00Z" },
    ];
    let down = false;
    const inner = stationsApi(records);
    const server = await api((request) => (down ? { status: 500, json: { message: "down" } } : inner(request)));
    const pipeline = await env.pipeline(graph(await bearerConnection(server.url), "http_incremental", { incremental: { field: "updated_at", param: "since" } }));

    const first = await runOf(pipeline.id);
    expect(first.nodes.find((n) => n.nodeId === "src")).toMatchObject({ status: "succeeded", rowsIn: 3n });
    expect(server.requests[0]!.url.searchParams.get("since")).toBeNull();

    records.push({ id: 4, station: "AB004", aqi: 4, updated_at: "2026-02-04T00:00:00Z" });
    down = true;
    const failed = await runOf(pipeline.id);
    expect(failed.status).toBe("failed");
    expect(server.requests.at(-1)!.url.searchParams.get("since")).toBe("2026-02-03T00:00:00Z");

    down = false;
    const before = server.requests.length;
    const second = await runOf(pipeline.id);
    expect(second.nodes.find((n) => n.nodeId === "src")).toMatchObject({ status: "succeeded", rowsIn: 1n });
    expect(server.requests[before]!.url.searchParams.get("since")).toBe("2026-02-03T00:00:00Z");

    const third = await runOf(pipeline.id);
    expect(third.nodes.find((n) => n.nodeId === "src")).toMatchObject({ status: "succeeded", rowsIn: 0n });
    expect(server.requests.at(-1)!.url.searchParams.get("since")).toBe("2026-02-04T00:00:00Z");
    const table = await env.db.pool.query(`SELECT count(*)::int AS n FROM http_incremental`);
    expect(table.rows[0].n).toBe(4);
  });

  it("previews the first page, marking the records a run would quarantine, and offers the fields when no columns are set", async () => {
    const server = await api(stationsApi());
    const connection = await bearerConnection(server.url);
    const preview = await previewNode(env.ctx, { graph: { format: 1, name: "p", ...graph(connection, "http_preview") }, nodeId: "src" });
    expect(preview.rows).toEqual([
      ["1", "AB001", "42", "2026-01-01T00:00:00Z"],
      ["2", "AB002", "abc", "2026-01-01T01:00:00Z"],
    ]);
    expect(preview.rejected).toEqual([{ row: 1, violations: [expect.objectContaining({ field: "aqi", rule: "type" })] }]);
    expect(server.requests).toHaveLength(1);

    const bare = graph(connection, "http_preview", { columns: undefined });
    const discovered = await previewNode(env.ctx, { graph: { format: 1, name: "p", ...bare }, nodeId: "src" });
    expect(discovered.columns).toEqual([
      { name: "id", type: "integer" },
      { name: "station", type: "string" },
      { name: "aqi", type: "string" },
      { name: "updated_at", type: "timestamp" },
      { name: "extra.note", type: "string" },
    ]);
    expect(discovered.note).toMatch(/No columns are set yet/);

    const nowhere = graph(connection, "http_preview", { connection: undefined });
    await expect(previewNode(env.ctx, { graph: { format: 1, name: "p", ...nowhere }, nodeId: "src" })).rejects.toThrow(/"\/v1\/stations" is a path, not a full address/);
  });

  it("a connection a pipeline reads through cannot be deleted; an unused one can", async () => {
    const server = await api(stationsApi());
    const used = await bearerConnection(server.url);
    await env.pipeline(graph(used, "http_in_use"), "stations in use");
    const ctx = { prisma: env.ctx.prisma, workspaceId: env.ctx.workspaceId, actor: "test" };
    await expect(deleteConnection(ctx, used)).rejects.toThrow(/is used by "stations in use" \(node src\): those nodes would fail/);
    expect((await getConnection(ctx, used)).id).toBe(used);

    const unused = await bearerConnection(server.url);
    await deleteConnection(ctx, unused);
    await expect(getConnection(ctx, unused)).rejects.toThrow(`Connection ${unused}`);
  });
});
