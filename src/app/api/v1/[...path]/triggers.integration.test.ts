import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabaseClients } from "@/server/db/client";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { GET, POST, PUT } from "./route";

const ADMIN_TOKEN = "admin-secret-for-tests-0123456789";
const BASE = "http://localhost/api/v1";

let db: TestDatabase;

function call(handler: (request: Request) => Promise<Response>, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return handler(new Request(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
}

async function createPipeline(name: string): Promise<string> {
  const response = await call(POST, "POST", "/pipelines", { name, graph: { format: 1, name, nodes: [], edges: [] } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_API_TOKEN = ADMIN_TOKEN;
});
afterAll(async () => {
  await closeDatabaseClients();
  await db?.drop();
});

describe("PUT /pipelines/:id/schedule", () => {
  it("saves a schedule and answers its next five fire times and its description", async () => {
    const id = await createPipeline("hourly report");
    const response = await call(PUT, "PUT", `/pipelines/${id}/schedule`, { cron: "5 * * * *", timezone: "Europe/Oslo", enabled: true });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { next: string[]; description: string; overlap: string; catchUp: string };
    expect(body.next).toHaveLength(5);
    for (const time of body.next) expect(new Date(time).getUTCMinutes()).toBe(5);
    expect(body).toMatchObject({ description: "At 5 minutes past the hour, Europe/Oslo", overlap: "skip", catchUp: "latest" });
    const read = await call(GET, "GET", `/pipelines/${id}/schedule`);
    expect(await read.json()).toMatchObject({ cron: "5 * * * *", timezone: "Europe/Oslo", enabled: true });
  });

  it.each([
    [{ cron: "5 * * *", timezone: "UTC" }, "cron", /five fields/],
    [{ cron: "5 * * * *", timezone: "Moon/Tranquility" }, "timezone", /not a timezone/],
    [{ cron: "5 * * * *", timezone: "UTC", overlap: "pile-up" }, undefined, /overlap/],
  ])("refuses %j with 400 and the reason", async (schedule, field, reason) => {
    const id = await createPipeline(`refused ${JSON.stringify(schedule)}`);
    const response = await call(PUT, "PUT", `/pipelines/${id}/schedule`, schedule);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; field?: string } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toMatch(reason);
    if (field) expect(body.error.field).toBe(field);
  });

  it("answers 404 for a pipeline that does not exist", async () => {
    const response = await call(PUT, "PUT", "/pipelines/00000000-0000-4000-8000-000000000000/schedule", { cron: "5 * * * *", timezone: "UTC" });
    expect(response.status).toBe(404);
  });
});

describe("dependencies and run control over REST", () => {
  it("refuses a dependency cycle with 400 naming the pipelines", async () => {
    const a = await createPipeline("extract");
    const b = await createPipeline("transform");
    expect((await call(PUT, "PUT", `/pipelines/${b}/dependencies`, { upstreamIds: [a] })).status).toBe(200);
    const cycle = await call(PUT, "PUT", `/pipelines/${a}/dependencies`, { upstreamIds: [b] });
    expect(cycle.status).toBe(400);
    expect(await cycle.json()).toMatchObject({ error: { code: "invalid_request", cycle: ["extract", "transform", "extract"] } });
  });

  it("answers 404 when cancelling a run that does not exist", async () => {
    const response = await call(POST, "POST", "/runs/00000000-0000-4000-8000-000000000000/cancel");
    expect(response.status).toBe(404);
  });

  it("lists the endpoints in the OpenAPI document", async () => {
    const document = (await (await GET(new Request(`${BASE}/openapi.json`))).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths["/pipelines/{id}/schedule"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
    expect(document.paths["/runs/{id}/cancel"]).toHaveProperty("post");
    expect(document.paths["/runs/{id}/retry"]).toHaveProperty("post");
    expect(document.paths["/pipelines/{id}/dependencies"]).toHaveProperty("put");
  });
});
