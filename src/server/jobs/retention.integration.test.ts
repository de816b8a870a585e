import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRun } from "../services/runs";
import { runSchemaName } from "../engine/plan";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { deleteExpiredRuns } from "./retention";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
beforeAll(async () => {
  env = await createEngineEnvironment();
});
afterAll(() => env?.close());

describe("retention cleanup", () => {
  it("forgets runs older than the workspace's retention, with their data and quarantine, and keeps the rest", async () => {
    const file = await env.upload("a.csv", "id\n1\n");
    const pipeline = await env.pipeline({ nodes: [{ id: "src", type: "source.csv", config: { file: `upload:${file.id}` } }], edges: [] });
    const old = (await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId;
    const recent = (await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId;
    const running = (await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" })).runId;
    await env.db.pool.query("UPDATE workspaces SET retention_days = 7");
    await env.db.pool.query("UPDATE runs SET status = 'succeeded', created_at = now() - interval '8 days' WHERE id = $1", [old]);
    await env.db.pool.query("UPDATE runs SET status = 'succeeded', created_at = now() - interval '6 days' WHERE id = $1", [recent]);
    await env.db.pool.query("UPDATE runs SET status = 'running', created_at = now() - interval '30 days' WHERE id = $1", [running]);
    await env.db.pool.query(
      "INSERT INTO quarantined_records (workspace_id, run_id, node_id, lineage_id, record, errors) VALUES ($1, $2, 'src', 'x', '{}', '[]')",
      [env.ctx.workspaceId, old],
    );

    expect(await deleteExpiredRuns(env.db.pool)).toBe(1);

    const runs = await env.db.pool.query("SELECT id::text FROM runs ORDER BY created_at");
    expect(runs.rows.map((r) => r.id).sort()).toEqual([recent, running].sort());
    const schemas = await env.db.pool.query("SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)", [[old, recent].map(runSchemaName)]);
    expect(schemas.rows.map((r) => r.nspname)).toEqual([runSchemaName(recent)]);
    expect((await env.db.pool.query("SELECT count(*)::int AS n FROM quarantined_records")).rows[0].n).toBe(0);
    expect((await env.db.pool.query("SELECT count(*)::int AS n FROM node_runs WHERE run_id = $1", [old])).rows[0].n).toBe(0);
  });
});

describe("the retention setting", () => {
  it("is 30 days by default and changes through the workspace router within bounds", async () => {
    const { appRouter } = await import("../api/root");
    const caller = appRouter.createCaller({ ...env.ctx, role: "owner", userId: "test-user" });
    await env.db.pool.query("UPDATE workspaces SET retention_days = DEFAULT");
    expect(await caller.workspace.settings()).toMatchObject({ retentionDays: 30 });
    await caller.workspace.setRetention({ days: 90 });
    expect(await caller.workspace.settings()).toMatchObject({ retentionDays: 90 });
    await expect(caller.workspace.setRetention({ days: 0 })).rejects.toThrow(/at least one day/);
  });
});
