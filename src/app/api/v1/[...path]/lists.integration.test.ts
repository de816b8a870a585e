import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { closeDatabaseClients } from "@/server/db/client";
import { startWorker, type WorkerHandle } from "@/server/jobs/worker";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { GET, POST } from "./route";

const TOKEN = "lists-admin-token-0123456789";
let db: TestDatabase;
let worker: WorkerHandle;
let dataDir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "sluice-lists-"));
  Object.assign(process.env, { DATABASE_URL: db.url, SLUICE_API_TOKEN: TOKEN, SLUICE_DATA_DIR: dataDir });
  worker = await startWorker({ connectionString: db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await closeDatabaseClients();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function api<T>(handler: (r: Request) => Promise<Response>, method: string, route: string): Promise<{ status: number; body: T }> {
  const response = await handler(new Request(`http://localhost/api/v1${route}`, { method, headers: { authorization: `Bearer ${TOKEN}` } }));
  return { status: response.status, body: (await response.json()) as T };
}

interface RunSummary {
  id: string;
  pipelineId: string;
  status: string;
  trigger: string;
  rowsLoaded: number;
  rowsRejected: number;
}

async function finished(runId: string) {
  for (let i = 0; i < 600; i++) {
    const { body } = await api<{ status: string }>(GET, "GET", `/runs/${runId}`);
    if (!["queued", "running"].includes(body.status)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

it("lists pipelines and runs a page at a time, filtered, the way a script walks them", async () => {
  const samples: { pipelineId: string; runId: string }[] = [];
  for (let i = 0; i < 3; i++) {
    const sample = await api<{ pipelineId: string; runId: string }>(POST, "POST", "/sample-pipeline");
    expect(sample.status).toBe(202);
    samples.push(sample.body);
  }
  for (const { runId } of samples) expect(await finished(runId)).toMatchObject({ status: "succeeded" });

  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ pipelines: { id: string; lastRun: { id: string; status: string } | null }[]; nextCursor?: string }>(
      GET,
      "GET",
      `/pipelines?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(page.status).toBe(200);
    expect(page.body.pipelines.length).toBeLessThanOrEqual(2);
    seen.push(...page.body.pipelines.map((p) => p.id));
    for (const p of page.body.pipelines) expect(p.lastRun).toMatchObject({ status: "succeeded", id: samples.find((s) => s.pipelineId === p.id)?.runId });
    cursor = page.body.nextCursor;
  } while (cursor);
  expect(seen).toEqual(samples.map((s) => s.pipelineId).reverse());

  const all = await api<{ runs: RunSummary[]; nextCursor?: string }>(GET, "GET", "/runs?status=succeeded");
  expect(all.body.runs.map((r) => r.id)).toEqual(samples.map((s) => s.runId).reverse());
  expect(all.body.runs[0]).toMatchObject({ trigger: "api", rowsLoaded: 45, rowsRejected: 5 });
  expect(all.body.nextCursor).toBeUndefined();

  const first = samples[0]!;
  const one = await api<{ runs: RunSummary[] }>(GET, "GET", `/runs?pipelineId=${first.pipelineId}`);
  expect(one.body.runs.map((r) => r.id)).toEqual([first.runId]);
  const paged = await api<{ runs: RunSummary[]; nextCursor?: string }>(GET, "GET", "/runs?limit=2");
  expect(paged.body.runs).toHaveLength(2);
  const rest = await api<{ runs: RunSummary[]; nextCursor?: string }>(GET, "GET", `/runs?limit=2&cursor=${paged.body.nextCursor}`);
  expect(rest.body.runs.map((r) => r.id)).toEqual([first.runId]);

  expect((await api<{ runs: unknown[] }>(GET, "GET", "/runs?status=failed")).body.runs).toEqual([]);
  const future = new Date(Date.now() + 60_000).toISOString();
  expect((await api<{ runs: unknown[] }>(GET, "GET", `/runs?from=${encodeURIComponent(future)}`)).body.runs).toEqual([]);
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
    const refused = await api<{ error: { code: string; message: string } }>(GET, "GET", route);
    expect(refused.status, route).toBe(400);
    expect(refused.body.error.message, route).toContain(field);
  }
});
