import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { recordRunStats } from "../engine/run-stats";
import { createControlRoomShare, createShare, listControlRoomShares, listShares, revokeShare, sharePageEmbedOrigins, viewShare } from "./shares";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let shared: string;
let neighbour: string;

const secretOf = (url: string) => url.split("/share/")[1]!;

beforeAll(async () => {
  env = await createEngineEnvironment({ SLUICE_PUBLIC_URL: "https://sluice.example" });
  const { prisma, workspaceId } = env.ctx;
  for (const name of ["Shared pipeline", "Neighbour pipeline"]) {
    const pipeline = await env.pipeline({ nodes: [], edges: [] }, name);
    const version = await prisma.pipelineVersion.findFirstOrThrow({ where: { pipelineId: pipeline.id } });
    const run = await prisma.run.create({ data: { workspaceId, pipelineId: pipeline.id, versionId: version.id, status: "succeeded", startedAt: new Date(Date.now() - 5000), finishedAt: new Date() } });
    await prisma.quarantinedRecord.create({
      data: { workspaceId, runId: run.id, nodeId: "val", lineageId: `${name}-1`, record: { station: `secret value of ${name}` }, errors: [{ field: "station", rule: "pattern", message: "station: does not match" }] },
    });
    const client = await env.db.pool.connect();
    await recordRunStats(client, run.id).finally(() => client.release());
    if (name === "Shared pipeline") shared = pipeline.id;
    else neighbour = pipeline.id;
  }
});

afterAll(async () => {
  await env?.close();
});

describe("share links", () => {
  it("carry a 256-bit secret that only its hash in the database stands for", async () => {
    const share = await createShare(env.ctx, shared, {});
    expect(share.url).toMatch(/^https:\/\/sluice\.example\/share\/[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secretOf(share.url), "base64url")).toHaveLength(32);
    const row = await env.db.pool.query("SELECT row_to_json(s)::text AS json FROM dashboard_shares s WHERE id = $1", [share.id]);
    expect(row.rows[0].json).not.toContain(secretOf(share.url));
    expect((await createShare(env.ctx, shared, {})).url).not.toBe(share.url);
  });

  it("show that pipeline's dashboard only, without record values unless samples were included, and note the view", async () => {
    const share = await createShare(env.ctx, shared, {});
    const view = await viewShare(env.ctx, secretOf(share.url));
    if (view.state !== "active" || view.kind !== "pipeline") throw new Error(view.state);
    expect(view.dashboard.pipeline.name).toBe("Shared pipeline");
    expect(view.dashboard.runsInRange).toBe(1);
    expect(view.dashboard.backlog.open).toBe(1);
    expect(view.samples).toBeNull();
    const text = JSON.stringify(view);
    expect(text).not.toContain("secret value");
    expect(text).not.toContain(neighbour);
    expect((await listShares(env.ctx, shared)).find((s) => s.id === share.id)?.lastViewedAt).not.toBeNull();

    const withSamples = await createShare(env.ctx, shared, { includeSamples: true });
    const sampled = await viewShare(env.ctx, secretOf(withSamples.url));
    if (sampled.state !== "active" || sampled.kind !== "pipeline") throw new Error(sampled.state);
    expect(sampled.samples?.map((s) => s.record)).toEqual([{ station: "secret value of Shared pipeline" }]);
  });

  it("say revoked at once after revocation, expired after expiry, and not valid for anything else", async () => {
    const share = await createShare(env.ctx, shared, { expiresAt: new Date(Date.now() + 60_000) });
    const secret = secretOf(share.url);
    expect((await viewShare(env.ctx, secret, {}, new Date(Date.now() + 120_000))).state).toBe("expired");
    await revokeShare(env.ctx, share.id);
    expect((await viewShare(env.ctx, secret)).state).toBe("revoked");
    expect((await listShares(env.ctx, shared)).find((s) => s.id === share.id)).toMatchObject({ state: "revoked", createdBy: "test" });
    // A neighbouring secret (one character changed), the hash itself, an id: none opens anything.
    const neighbourSecret = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    const hash = (await env.db.pool.query("SELECT token_hash FROM dashboard_shares WHERE id = $1", [share.id])).rows[0].token_hash;
    for (const attempt of [neighbourSecret, hash, share.id, shared, "", "../../api/v1/pipelines"]) expect((await viewShare(env.ctx, attempt)).state, attempt).toBe("unknown");
  });

  it("refuse an expiry in the past, and another workspace's pipeline or link", async () => {
    await expect(createShare(env.ctx, shared, { expiresAt: new Date(Date.now() - 1000) })).rejects.toThrow(/future/);
    const other = await env.ctx.prisma.workspace.create({ data: { name: "Elsewhere" } });
    const outsider = { ...env.ctx, workspaceId: other.id };
    await expect(createShare(outsider, shared, {})).rejects.toThrow(/does not exist/);
    await expect(listShares(outsider, shared)).rejects.toThrow(/does not exist/);
    const share = await createShare(env.ctx, shared, {});
    await expect(revokeShare(outsider, share.id)).rejects.toThrow(/does not exist/);
    expect((await viewShare(env.ctx, secretOf(share.url))).state).toBe("active");
  });
});

describe("control room links", () => {
  it("show every pipeline's health and counts, but no ids, run errors or record values, and nothing of another workspace", async () => {
    const { prisma, workspaceId } = env.ctx;
    const failing = await env.pipeline({ nodes: [], edges: [] }, "Failing pipeline");
    const version = await prisma.pipelineVersion.findFirstOrThrow({ where: { pipelineId: failing.id } });
    const run = await prisma.run.create({
      data: { workspaceId, pipelineId: failing.id, versionId: version.id, status: "failed", error: "invalid input syntax for type integer: \"secret value 42\"", startedAt: new Date(Date.now() - 3000), finishedAt: new Date() },
    });
    const client = await env.db.pool.connect();
    await recordRunStats(client, run.id).finally(() => client.release());
    const other = await prisma.workspace.create({ data: { name: "Other workspace" } });
    await prisma.pipeline.create({ data: { workspaceId: other.id, name: "Other workspace's pipeline" } });

    const share = await createControlRoomShare(env.ctx, {});
    expect(share).toMatchObject({ dashboard: "control-room", pipelineId: null, includeSamples: false, embedOrigins: [] });
    const view = await viewShare(env.ctx, secretOf(share.url));
    if (view.state !== "active" || view.kind !== "control-room") throw new Error(view.state);
    expect(view.pipelines.map((p) => p.name)).toEqual(["Failing pipeline", "Neighbour pipeline", "Shared pipeline"]);
    expect(view.pipelines[0]).toMatchObject({ health: "failing", reason: "The last run failed", lastRun: { status: "failed" }, runs7d: 1, successRate7d: 0 });
    expect(view.pipelines.find((p) => p.name === "Shared pipeline")).toMatchObject({ health: "healthy", openQuarantine: 1, successRate7d: 100 });
    const text = JSON.stringify(view);
    for (const hidden of [failing.id, shared, neighbour, run.id, "secret value", "Other workspace"]) expect(text, hidden).not.toContain(hidden);
    // The same link opens no pipeline's dashboard, whatever range is asked for.
    expect("dashboard" in view).toBe(false);
  });

  it("are listed apart from the pipelines' links and revoked like them", async () => {
    const share = await createControlRoomShare(env.ctx, { expiresAt: new Date(Date.now() + 86_400_000) });
    expect((await listControlRoomShares(env.ctx)).map((s) => s.id)).toContain(share.id);
    expect((await listShares(env.ctx, shared)).map((s) => s.id)).not.toContain(share.id);
    await viewShare(env.ctx, secretOf(share.url));
    expect((await listControlRoomShares(env.ctx)).find((s) => s.id === share.id)).toMatchObject({ createdBy: "test", lastViewedAt: expect.any(Date), state: "active" });
    await revokeShare(env.ctx, share.id);
    expect((await viewShare(env.ctx, secretOf(share.url))).state).toBe("revoked");
    const other = await env.ctx.prisma.workspace.create({ data: { name: "Elsewhere too" } });
    expect(await listControlRoomShares({ ...env.ctx, workspaceId: other.id })).toEqual([]);
  });
});

describe("embedding a link", () => {
  const frameable = (secret: string) => sharePageEmbedOrigins(() => env.ctx.prisma, `/share/${secret}`);

  it("is allowed on the listed origins only, normalised, and on none by default or once the link is off", async () => {
    const share = await createControlRoomShare(env.ctx, { embedOrigins: ["https://Wiki.Example.com/", "http://localhost:8080", "https://wiki.example.com"] });
    expect(share.embedOrigins).toEqual(["https://wiki.example.com", "http://localhost:8080"]);
    expect(await frameable(secretOf(share.url))).toEqual(["https://wiki.example.com", "http://localhost:8080"]);
    expect(await sharePageEmbedOrigins(() => env.ctx.prisma, `/share/${secretOf(share.url)}?_rsc=1`)).toEqual(["https://wiki.example.com", "http://localhost:8080"]);
    expect(await frameable(secretOf((await createShare(env.ctx, shared, {})).url))).toEqual([]);
    await revokeShare(env.ctx, share.id);
    expect(await frameable(secretOf(share.url))).toEqual([]);
    expect(await frameable("A".repeat(43))).toEqual([]);
    for (const path of ["/dashboards", "/share", `/share/${secretOf(share.url)}/x`, "/api/v1/shares"]) expect(sharePageEmbedOrigins(() => env.ctx.prisma, path), path).toBeNull();
  });

  it("refuses anything that is not a plain http(s) origin, so nothing else reaches the header", async () => {
    for (const origin of [
      "*",
      "'none'",
      "https://*.example.com",
      "wiki.example.com",
      "https://wiki.example.com/page",
      "https://wiki.example.com?x=1",
      "https://user:pw@wiki.example.com",
      "javascript:alert(1)",
      "data:text/html,x",
      "https://wiki.example.com; script-src *",
      "https://wiki.example.com https://evil.example",
    ]) {
      await expect(createControlRoomShare(env.ctx, { embedOrigins: [origin] }), origin).rejects.toThrow(/not an origin/);
    }
    await expect(createControlRoomShare(env.ctx, { embedOrigins: Array.from({ length: 11 }, (_, i) => `https://site${i}.example`) })).rejects.toThrow();
  });
});
