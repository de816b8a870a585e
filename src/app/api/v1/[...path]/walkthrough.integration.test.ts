import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabaseClients } from "@/server/db/client";
import { startWorker, type WorkerHandle } from "@/server/jobs/worker";
import { multipartHeaders, multipartStream, streamingRequest } from "@/server/rest/testing";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { GET, PATCH, POST } from "./route";

const TOKEN = "walkthrough-admin-token-0123456789";
const BASE = "http://localhost/api/v1";
let db: TestDatabase;
let worker: WorkerHandle;
let dataDir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "sluice-api-"));
  Object.assign(process.env, { DATABASE_URL: db.url, SLUICE_API_TOKEN: TOKEN, SLUICE_DATA_DIR: dataDir });
  worker = await startWorker({ connectionString: db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await closeDatabaseClients();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function api<T>(handler: (r: Request) => Promise<Response>, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await handler(
    new Request(`${BASE}${route}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }),
  );
  return { status: response.status, body: (await response.json()) as T };
}

async function finished(runId: string) {
  for (let i = 0; i < 600; i++) {
    const { body } = await api<{ status: string }>(GET, "GET", `/runs/${runId}`);
    if (!["queued", "running"].includes(body.status)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe("the public API, the way a script uses it", () => {
  it("uploads, creates a pipeline, runs it, fixes a quarantined record, re-ingests it and traces it", async () => {
    const csv = "id,score\n1,10\n2,abc\n3,30\n";
    const { body: multipart } = multipartStream({ filename: "scores.csv", chunks: () => [new TextEncoder().encode(csv)] });
    const upload = await POST(
      streamingRequest(`${BASE}/uploads`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, ...multipartHeaders() }, body: multipart }),
    );
    expect(upload.status).toBe(201);
    const { id: uploadId } = (await upload.json()) as { id: string };

    const created = await api<{ id: string; version: number }>(POST, "POST", "/pipelines", {
      name: "scores",
      graph: {
        format: 1,
        name: "scores",
        nodes: [
          { id: "src", type: "source.csv", config: { file: `upload:${uploadId}` } },
          { id: "val", type: "validate", config: { rules: [{ field: "score", type: "integer", required: true }] } },
          { id: "dst", type: "destination.postgres", config: { table: "scores", mode: "upsert", key: ["id"] } },
        ],
        edges: [
          { from: "src", to: "val" },
          { from: "val", to: "dst" },
        ],
      },
    });
    expect(created).toMatchObject({ status: 201, body: { version: 1 } });

    const started = await api<{ runId: string }>(POST, "POST", `/pipelines/${created.body.id}/runs`, {});
    expect(started.status).toBe(202);
    const run = await finished(started.body.runId);
    expect(run).toMatchObject({ status: "succeeded", nodes: expect.arrayContaining([expect.objectContaining({ nodeId: "val", rowsOut: 2, rowsRejected: 1 })]) });

    const quarantine = await api<{ records: { id: string; record: Record<string, string>; errors: { rule: string }[]; lineageId: string }[] }>(
      GET,
      "GET",
      `/runs/${started.body.runId}/quarantine?limit=10`,
    );
    expect(quarantine.body.records).toHaveLength(1);
    const [bad] = quarantine.body.records;
    expect(bad).toMatchObject({ record: { id: "2", score: "abc" }, errors: [expect.objectContaining({ rule: "type" })] });

    const fixed = await api(PATCH, "PATCH", `/quarantine/${bad!.id}`, { record: { id: "2", score: "20" } });
    expect(fixed).toMatchObject({ status: 200, body: { status: "fixed" } });

    const reingest = await api<{ runId: string }>(POST, "POST", "/quarantine/reingest", { ids: [bad!.id] });
    expect(reingest.status).toBe(202);
    expect(await finished(reingest.body.runId)).toMatchObject({ status: "succeeded", parentRunId: started.body.runId, trigger: "reingest" });
    const again = await api<{ error: { code: string } }>(POST, "POST", "/quarantine/reingest", { ids: [bad!.id] });
    expect(again).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });

    const rows = await db.pool.query("SELECT id::int, score::int FROM scores ORDER BY id");
    expect(rows.rows).toEqual([
      { id: 1, score: 10 },
      { id: 2, score: 20 },
      { id: 3, score: 30 },
    ]);

    const lineage = await api<{ source: unknown; record: unknown; steps: { status: string }[] }>(GET, "GET", `/lineage/${encodeURIComponent(bad!.lineageId)}`);
    expect(lineage).toMatchObject({ status: 200, body: { source: { file: "scores.csv", line: 3 }, record: { id: "2", score: "abc" } } });
    expect(lineage.body.steps.map((s) => s.status)).toEqual(["passed", "reingested", "passed"]);
    expect((await api(GET, "GET", "/lineage/not-a-lineage-id")).status).toBe(404);
  });
});
