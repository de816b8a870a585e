import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngineEnvironment } from "@/server/engine/testing/engine-harness";
import { restClient } from "@/server/rest/testing";
import { DELETE, GET, POST } from "./route";

const TOKEN = "shares-admin-token-0123456789";
const client = restClient(TOKEN, { GET, POST, DELETE });
let env: Awaited<ReturnType<typeof createEngineEnvironment>>;

beforeAll(async () => {
  env = await createEngineEnvironment({ SLUICE_API_TOKEN: TOKEN, SLUICE_PUBLIC_URL: "https://sluice.example" });
});
afterAll(async () => {
  await env?.close();
});

interface TShareBody {
  id: string;
  dashboard: string;
  pipelineId: string | null;
  embedOrigins: string[];
  state: string;
  url?: string;
}

it("shares the control room by script: create with embed origins, list without secrets, revoke", async () => {
  const created = await client.json<TShareBody>("POST", "/dashboards/control-room/shares", { embedOrigins: ["https://wiki.example.com/"] });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ dashboard: "control-room", pipelineId: null, embedOrigins: ["https://wiki.example.com"], state: "active" });
  expect(created.body.url).toMatch(/^https:\/\/sluice\.example\/share\/[A-Za-z0-9_-]{43}$/);

  const listed = await client.json<TShareBody[]>("GET", "/dashboards/control-room/shares");
  expect(listed.body.map((s) => s.id)).toEqual([created.body.id]);
  expect(JSON.stringify(listed.body)).not.toContain(created.body.url!.split("/share/")[1]);

  expect((await client.call("DELETE", `/shares/${created.body.id}`)).status).toBe(204);
  expect((await client.json<TShareBody[]>("GET", "/dashboards/control-room/shares")).body[0]).toMatchObject({ id: created.body.id, state: "revoked" });
});

it("refuses an embed origin that is not a plain origin, and samples, which the control room has none of", async () => {
  const path = await client.json<{ error: { code: string; message: string } }>("POST", "/dashboards/control-room/shares", { embedOrigins: ["https://wiki.example.com/page"] });
  expect(path.status).toBe(400);
  expect(path.body.error.message).toContain("not an origin");
  const samples = await client.json<{ error: { code: string } }>("POST", "/dashboards/control-room/shares", { includeSamples: true });
  expect(samples.status).toBe(400);
});
