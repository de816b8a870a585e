import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngineEnvironment } from "@/server/engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "@/server/jobs/worker";
import { restClient } from "@/server/rest/testing";
import { GET, POST } from "./route";

const TOKEN = "quarantine-admin-token-0123456789";
const client = restClient(TOKEN, { GET, POST });
let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;
let sample: { pipelineId: string; runId: string; table: string };

interface Page {
  records: { id: string; record: Record<string, string | null>; errors: { field: string; rule: string }[]; status: string }[];
  total: number;
  nextCursor?: string;
}

beforeAll(async () => {
  env = await createEngineEnvironment({ SLUICE_API_TOKEN: TOKEN });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
  sample = (await client.json<typeof sample>("POST", "/sample-pipeline")).body;
  expect(await client.finished(sample.runId)).toMatchObject({ status: "succeeded" });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

it("searches, groups and pages quarantined records across runs by the screen's filters", async () => {
  const all = await client.json<Page>("GET", `/quarantine?pipelineId=${sample.pipelineId}&limit=2`);
  expect(all).toMatchObject({ status: 200, body: { total: 5 } });
  expect(all.body.records).toHaveLength(2);
  const next = await client.json<Page>("GET", `/quarantine?pipelineId=${sample.pipelineId}&limit=2&cursor=${all.body.nextCursor}`);
  expect(next.body.records.map((r) => r.id)).not.toContain(all.body.records[0]!.id);

  const typo = await client.json<Page>("GET", "/quarantine?field=max_temp_c&rule=max");
  expect(typo.body.records.map((r) => r.record.max_temp_c)).toEqual(["71.3"]);
  const newest = await client.json<Page>("GET", "/quarantine?order=desc&status=review");
  expect(newest.body.records.map((r) => Number(r.id))).toEqual([...newest.body.records.map((r) => Number(r.id))].sort((a, b) => b - a));

  const groups = await client.json<{ groups: { field: string; rule: string; records: number }[] }>("GET", `/quarantine/groups?runId=${sample.runId}`);
  expect(groups.body.groups.map((g) => `${g.field} ${g.rule} ${g.records}`).sort()).toEqual(
    ["date type 1", "max_temp_c max 1", "precipitation_mm min 1", "station_id required 1", "wind_speed_ms type 1"],
  );

  const detail = await client.json<{ id: string; runId: string; history: unknown[] }>("GET", `/quarantine/${typo.body.records[0]!.id}`);
  expect(detail).toMatchObject({ status: 200, body: { id: typo.body.records[0]!.id, runId: sample.runId, history: [] } });
  expect((await client.json("GET", "/quarantine/999999999")).status).toBe(404);
});

it("previews and applies a bulk fix, discards with a reason and re-ingests everything fixed, as the screen does", async () => {
  const windTarget = { filter: { runId: sample.runId, field: "wind_speed_ms", rule: "type" } };
  const preview = await client.json<{ records: number; sample: { before: string; after: string }[] }>("POST", "/quarantine/fixes/preview", {
    target: windTarget,
    fix: { kind: "value", field: "wind_speed_ms", value: "0.0" },
  });
  expect(preview).toMatchObject({ status: 200, body: { records: 1, sample: [{ before: "calm", after: "0.0" }] } });
  expect((await client.json<Page>("GET", "/quarantine?status=fixed")).body.total).toBe(0);

  const typo = (await client.json<Page>("GET", "/quarantine?field=max_temp_c")).body.records[0]!;
  const applied = await client.json("POST", "/quarantine/fixes", { target: windTarget, fix: { kind: "value", field: "wind_speed_ms", value: "0.0" } });
  expect(applied).toMatchObject({ status: 200, body: { records: 1 } });
  const divided = await client.json("POST", "/quarantine/fixes", { target: { ids: [typo.id] }, fix: { kind: "expression", field: "max_temp_c", expression: "max_temp_c / 10 + 10.17" } });
  expect(divided).toMatchObject({ status: 200, body: { records: 1 } });

  const noReason = await client.json<{ error: { message: string } }>("POST", "/quarantine/discard", { target: { filter: { field: "date" } }, reason: "  " });
  expect(noReason.status).toBe(400);
  expect(noReason.body.error.message).toContain("Say why");
  const discarded = await client.json("POST", "/quarantine/discard", { target: { filter: { field: "date" } }, reason: "30 November was meant; the station re-sends it" });
  expect(discarded).toMatchObject({ status: 200, body: { records: 1 } });

  const reingest = await client.json<{ runId: string; records: number }>("POST", "/quarantine/reingest", { filter: { status: "fixed" } });
  expect(reingest).toMatchObject({ status: 202, body: { records: 2 } });
  expect(await client.finished(reingest.body.runId)).toMatchObject({ status: "succeeded" });
  const loaded = await env.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${sample.table}`);
  expect(loaded.rows[0]?.n).toBe(47);
  expect((await client.json<Page>("GET", `/quarantine?runId=${sample.runId}&status=review`)).body.total).toBe(2);
});

it("exports the matching records as a streamed CSV", async () => {
  const response = await client.call("GET", `/quarantine.csv?runId=${sample.runId}&status=review`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  const lines = (await response.text()).trim().split(/\r?\n/);
  expect(lines).toHaveLength(3);
  expect(lines[0]).toContain("station_id");
});

it("refuses malformed targets, fixes and filters with the reason and changes nothing", async () => {
  for (const [method, route, body] of [
    ["POST", "/quarantine/fixes", { target: { ids: ["1; DROP TABLE runs"] }, fix: { kind: "null", field: "date" } }],
    ["POST", "/quarantine/fixes", { target: { filter: {} }, fix: { kind: "expression", field: "date", expression: "pg_sleep(10)" } }],
    ["POST", "/quarantine/fixes", { target: {}, fix: { kind: "null", field: "date" } }],
    ["POST", "/quarantine/discard", { target: { ids: [] }, reason: "x" }],
    ["POST", "/quarantine/reingest", { filter: { runId: "not-a-run" } }],
    ["GET", "/quarantine?status=lost", undefined],
    ["GET", "/quarantine?from=last%20week", undefined],
    ["GET", "/quarantine/0", undefined],
  ] as const) {
    const refused = await client.json<{ error: { code: string; message: string } }>(method, route, body);
    expect([400, 404], `${method} ${route} ${JSON.stringify(body)}`).toContain(refused.status);
    expect(refused.body.error.message.length).toBeGreaterThan(0);
  }
  expect((await client.json<Page>("GET", `/quarantine?runId=${sample.runId}&status=review`)).body.total).toBe(2);
});
