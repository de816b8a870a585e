import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "@/server/engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "@/server/jobs/worker";
import { multipartHeaders, multipartStream, restClient, streamingRequest } from "@/server/rest/testing";
import { GET, PATCH, POST } from "./route";

const TOKEN = "walkthrough-admin-token-0123456789";
const client = restClient(TOKEN, { GET, PATCH, POST });
const BASE = "http://localhost/api/v1";
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

describe("the public API, the way a script uses it", () => {
  it("uploads, creates a pipeline, runs it, fixes a quarantined record, re-ingests it and traces it", async () => {
    const csv = "id,score\n1,10\n2,abc\n3,30\n";
    const { body: multipart } = multipartStream({ filename: "scores.csv", chunks: () => [new TextEncoder().encode(csv)] });
    const upload = await POST(
      streamingRequest(`${BASE}/uploads`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, ...multipartHeaders() }, body: multipart }),
    );
    expect(upload.status).toBe(201);
    const { id: uploadId } = (await upload.json()) as { id: string };

    const created = await client.json<{ id: string; version: number }>("POST", "/pipelines", {
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

    const started = await client.json<{ runId: string }>("POST", `/pipelines/${created.body.id}/runs`, {});
    expect(started.status).toBe(202);
    const run = await client.finished(started.body.runId);
    expect(run).toMatchObject({ status: "succeeded", nodes: expect.arrayContaining([expect.objectContaining({ nodeId: "val", rowsOut: 2, rowsRejected: 1 })]) });

    const quarantine = await client.json<{ records: { id: string; record: Record<string, string>; errors: { rule: string }[]; lineageId: string }[] }>("GET",
      `/runs/${started.body.runId}/quarantine?limit=10`,
    );
    expect(quarantine.body.records).toHaveLength(1);
    const [bad] = quarantine.body.records;
    expect(bad).toMatchObject({ record: { id: "2", score: "abc" }, errors: [expect.objectContaining({ rule: "type" })] });

    const fixed = await client.json("PATCH", `/quarantine/${bad!.id}`, { record: { id: "2", score: "20" } });
    expect(fixed).toMatchObject({ status: 200, body: { status: "fixed" } });

    const reingest = await client.json<{ runId: string }>("POST", "/quarantine/reingest", { ids: [bad!.id] });
    expect(reingest.status).toBe(202);
    expect(await client.finished(reingest.body.runId)).toMatchObject({ status: "succeeded", parentRunId: started.body.runId, trigger: "reingest" });
    const again = await client.json<{ error: { code: string } }>("POST", "/quarantine/reingest", { ids: [bad!.id] });
    expect(again).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });

    const rows = await env.db.pool.query("SELECT id::int, score::int FROM scores ORDER BY id");
    expect(rows.rows).toEqual([
      { id: 1, score: 10 },
      { id: 2, score: 20 },
      { id: 3, score: 30 },
    ]);

    const lineage = await client.json<{ source: unknown; record: unknown; steps: { status: string }[] }>("GET", `/lineage/${encodeURIComponent(bad!.lineageId)}`);
    expect(lineage).toMatchObject({ status: 200, body: { source: { file: "scores.csv", line: 3 }, record: { id: "2", score: "abc" } } });
    expect(lineage.body.steps.map((s) => s.status)).toEqual(["passed", "reingested", "passed"]);
    expect((await client.json("GET", "/lineage/not-a-lineage-id")).status).toBe(404);
  });
});
