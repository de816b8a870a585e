import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngineEnvironment } from "@/server/engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "@/server/jobs/worker";
import { restClient } from "@/server/rest/testing";
import { DELETE, GET, PATCH, POST } from "./route";

const TOKEN = "pipelines-admin-token-0123456789";
const client = restClient(TOKEN, { GET, POST, PATCH, DELETE });
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

type ErrorBody = { error: { code: string; message: string } };

it("renames, duplicates and deletes a pipeline, refusing what a careless script would send", async () => {
  const sample = await client.json<{ pipelineId: string; runId: string }>("POST", "/sample-pipeline");
  expect(sample.status).toBe(202);
  const id = sample.body.pipelineId;
  await client.finished(sample.body.runId);
  const other = await env.loadPipeline("rest_other", "id\n1\n", { name: "Other" });

  expect(await client.json("PATCH", `/pipelines/${id}`, { name: "  Weather, renamed  " })).toEqual({ status: 200, body: { id, name: "Weather, renamed" } });
  const empty = await client.json<ErrorBody>("PATCH", `/pipelines/${id}`, { name: "   " });
  expect(empty.status).toBe(400);
  expect(empty.body.error.message).toMatch(/needs a name/);
  expect((await client.json<ErrorBody>("PATCH", `/pipelines/${id}`, { name: "x".repeat(10_000) })).status).toBe(400);
  const taken = await client.json<ErrorBody>("PATCH", `/pipelines/${id}`, { name: "other" });
  expect(taken).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
  expect(taken.body.error.message).toMatch(/already exists/);
  // Markup is a name like any other: stored as typed, never interpreted.
  const html = "<img src=x onerror=alert(1)>";
  expect((await client.json("PATCH", `/pipelines/${other.id}`, { name: html })).body).toEqual({ id: other.id, name: html });

  const copy = await client.json<{ id: string; name: string; version: number }>("POST", `/pipelines/${id}/duplicate`);
  expect(copy).toMatchObject({ status: 201, body: { name: "Copy of Weather, renamed", version: 1 } });

  const impact = await client.json<{ runs: number; quarantined: number; keptTables: string[] }>("GET", `/pipelines/${id}/deletion-impact`);
  expect(impact.status).toBe(200);
  expect(impact.body.runs).toBe(1);
  expect(impact.body.quarantined).toBeGreaterThan(0);
  expect(impact.body.keptTables.length).toBeGreaterThan(0);

  const deleted = await client.json<{ runs: number; quarantined: number }>("DELETE", `/pipelines/${id}`);
  expect(deleted).toMatchObject({ status: 200, body: { runs: 1, quarantined: impact.body.quarantined } });
  expect((await client.json<ErrorBody>("DELETE", `/pipelines/${id}`)).status).toBe(404);
  expect((await client.json<ErrorBody>("GET", `/pipelines/${id}`)).status).toBe(404);
  expect((await client.json<ErrorBody>("GET", `/runs/${sample.body.runId}`)).status).toBe(404);
  expect((await client.json("GET", `/pipelines/${copy.body.id}`)).status).toBe(200);
});

it("refuses to delete a pipeline while it runs", async () => {
  const pipeline = await env.loadPipeline("rest_busy", "id\n1\n", { name: "Busy over REST" });
  const version = await env.ctx.prisma.pipelineVersion.findFirstOrThrow({ where: { pipelineId: pipeline.id } });
  await env.ctx.prisma.run.create({ data: { workspaceId: env.ctx.workspaceId, pipelineId: pipeline.id, versionId: version.id, status: "queued" } });
  const refused = await client.json<ErrorBody>("DELETE", `/pipelines/${pipeline.id}`);
  expect(refused).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
  expect(refused.body.error.message).toMatch(/cancel it or let it finish/);
});
