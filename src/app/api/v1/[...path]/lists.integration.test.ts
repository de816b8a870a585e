import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngineEnvironment } from "@/server/engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "@/server/jobs/worker";
import { restClient } from "@/server/rest/testing";
import { GET, POST } from "./route";

const TOKEN = "lists-admin-token-0123456789";
const client = restClient(TOKEN, { GET, POST });
let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;

beforeAll(async () => {
  env = await createEngineEnvironment({ SLUICE_API_TOKEN: TOKEN });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

interface RunSummary {
  id: string;
  pipelineId: string;
  status: string;
  trigger: string;
  rowsLoaded: number;
  rowsRejected: number;
}

it("lists pipelines and runs a page at a time, filtered, the way a script walks them", async () => {
  const samples: { pipelineId: string; runId: string }[] = [];
  for (let i = 0; i < 3; i++) {
    const sample = await client.json<{ pipelineId: string; runId: string }>("POST", "/sample-pipeline");
    expect(sample.status).toBe(202);
    samples.push(sample.body);
  }
  for (const { runId } of samples) expect(await client.finished(runId)).toMatchObject({ status: "succeeded" });

  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.json<{ pipelines: { id: string; lastRun: { id: string; status: string } | null }[]; nextCursor?: string }>("GET",
      `/pipelines?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(page.status).toBe(200);
    expect(page.body.pipelines.length).toBeLessThanOrEqual(2);
    seen.push(...page.body.pipelines.map((p) => p.id));
    for (const p of page.body.pipelines) expect(p.lastRun).toMatchObject({ status: "succeeded", id: samples.find((s) => s.pipelineId === p.id)?.runId });
    cursor = page.body.nextCursor;
  } while (cursor);
  expect(seen).toEqual(samples.map((s) => s.pipelineId).reverse());

  const all = await client.json<{ runs: RunSummary[]; nextCursor?: string }>("GET", "/runs?status=succeeded");
  expect(all.body.runs.map((r) => r.id)).toEqual(samples.map((s) => s.runId).reverse());
  expect(all.body.runs[0]).toMatchObject({ trigger: "api", rowsLoaded: 45, rowsRejected: 5 });
  expect(all.body.nextCursor).toBeUndefined();

  const first = samples[0]!;
  const one = await client.json<{ runs: RunSummary[] }>("GET", `/runs?pipelineId=${first.pipelineId}`);
  expect(one.body.runs.map((r) => r.id)).toEqual([first.runId]);
  const paged = await client.json<{ runs: RunSummary[]; nextCursor?: string }>("GET", "/runs?limit=2");
  expect(paged.body.runs).toHaveLength(2);
  const rest = await client.json<{ runs: RunSummary[]; nextCursor?: string }>("GET", `/runs?limit=2&cursor=${paged.body.nextCursor}`);
  expect(rest.body.runs.map((r) => r.id)).toEqual([first.runId]);

  expect((await client.json<{ runs: unknown[] }>("GET", "/runs?status=failed")).body.runs).toEqual([]);
  const future = new Date(Date.now() + 60_000).toISOString();
  expect((await client.json<{ runs: unknown[] }>("GET", `/runs?from=${encodeURIComponent(future)}`)).body.runs).toEqual([]);
});

it("refuses a bad filter with the reason instead of ignoring it", async () => {
  for (const [route, field] of [
    ["/runs?status=exploded", "status"],
    ["/runs?pipelineId=1%20OR%201=1", "pipelineId"],
    ["/runs?from=yesterday", "from"],
    [`/runs?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`, "to"],
    ["/runs?limit=0", "limit"],
    ["/pipelines?cursor=../../etc/passwd", "cursor"],
    ["/pipelines?limit=100000", "limit"],
  ] as const) {
    const refused = await client.json<{ error: { code: string; message: string } }>("GET", route);
    expect(refused.status, route).toBe(400);
    expect(refused.body.error.message, route).toContain(field);
  }
});
