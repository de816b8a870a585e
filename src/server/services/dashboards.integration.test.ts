import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { recordRunStats } from "../engine/run-stats";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { controlRoom, pipelineDashboard } from "./dashboards";
import { discardQuarantined } from "./quarantine";
import { startRun } from "./runs";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;
let pipelineId: string;
const runIds: string[] = [];

// 8 rows: the filter drops the two with aqi 0; validation rejects AB003 (aqi too high), the empty
// station, and AB006 (aqi and pm25 both broken); three load.
const CSV = ["station,aqi,pm25", "AB001,50,1.5", "AB002,0,2", "AB003,700,2.5", ",50,4", "AB005,80,1", "AB006,900,-1", "AB007,0,3", "AB008,60,2"].join("\n");

beforeAll(async () => {
  env = await createEngineEnvironment();
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
  const file = await env.upload("air.csv", CSV);
  const pipeline = await env.pipeline(
    {
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "keep", type: "transform.filter", config: { expression: "aqi > 0" } },
        {
          id: "val",
          type: "validate",
          config: {
            rules: [
              { field: "station", type: "string", required: true },
              { field: "aqi", type: "integer", max: 500 },
              { field: "pm25", type: "number", min: 0 },
            ],
          },
        },
        { id: "dst", type: "destination.postgres", config: { table: "air", mode: "append" } },
      ],
      edges: [
        { from: "src", to: "keep" },
        { from: "keep", to: "val" },
        { from: "val", to: "dst" },
      ],
    },
    "Air quality",
  );
  pipelineId = pipeline.id;
  for (let i = 0; i < 2; i++) {
    const { runId } = await startRun(env.ctx, { pipelineId, trigger: "manual" });
    expect((await env.waitForRun(runId)).status).toBe("succeeded");
    runIds.push(runId);
  }
});

afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

describe("the figures kept as runs finish", () => {
  it("match the run's node runs and quarantined records", async () => {
    for (const runId of runIds) {
      const raw = await env.db.pool.query<{ node_id: string; rows_in: string; rows_out: string; rows_rejected: string }>(
        "SELECT node_id, rows_in::text, rows_out::text, rows_rejected::text FROM node_runs WHERE run_id = $1",
        [runId],
      );
      const node = (id: string) => raw.rows.find((r) => r.node_id === id)!;
      const kept = await env.db.pool.query("SELECT rows_read, rows_loaded, rows_quarantined, rows_discarded, nodes FROM run_stats WHERE run_id = $1", [runId]);
      expect(kept.rows[0]).toMatchObject({
        rows_read: node("src").rows_in,
        rows_loaded: node("dst").rows_out,
        rows_quarantined: node("val").rows_rejected,
        rows_discarded: "2",
      });
      expect([node("src").rows_in, node("dst").rows_out, node("val").rows_rejected]).toEqual(["8", "3", "3"]);
      expect(kept.rows[0].nodes.map((n: { nodeId: string }) => n.nodeId)).toEqual(["dst", "keep", "src", "val"]);

      const records = await env.db.pool.query<{ node_id: string; errors: { field: string; rule: string }[] }>("SELECT node_id, errors FROM quarantined_records WHERE run_id = $1", [runId]);
      const expected = new Map<string, number>();
      for (const r of records.rows) for (const e of r.errors) expected.set(`${r.node_id}/${e.field}/${e.rule}`, (expected.get(`${r.node_id}/${e.field}/${e.rule}`) ?? 0) + 1);
      const byRule = await env.db.pool.query<{ key: string; violations: string }>(
        "SELECT node_id || '/' || field || '/' || rule AS key, violations::text FROM run_quarantine_stats WHERE run_id = $1",
        [runId],
      );
      expect(new Map(byRule.rows.map((r) => [r.key, Number(r.violations)]))).toEqual(expected);
      // The rerun meets the same three bad records: they are seen again, not quarantined a second time.
      const quarantinedHere = runId === runIds[0] ? new Map([["val/station/required", 1], ["val/aqi/max", 2], ["val/pm25/min", 1]]) : new Map();
      expect(expected).toEqual(quarantinedHere);
    }
  });

  it("are written again when a finished run finishes again, not added twice", async () => {
    const client = await env.db.pool.connect();
    try {
      await recordRunStats(client, runIds[0]!);
    } finally {
      client.release();
    }
    const counts = await env.db.pool.query("SELECT count(*)::int AS n FROM run_quarantine_stats WHERE run_id = $1", [runIds[0]]);
    expect(counts.rows[0].n).toBe(3);
  });
});

describe("a pipeline's dashboard", () => {
  it("charts each run's figures, the reject-rate threshold, violations by rule and the quarantine backlog", async () => {
    await env.ctx.prisma.alertRule.create({ data: { workspaceId: env.ctx.workspaceId, pipelineId, kind: "reject_rate", threshold: 25 } });
    await env.ctx.prisma.alertRule.create({ data: { workspaceId: env.ctx.workspaceId, pipelineId: null, kind: "reject_rate", threshold: 40 } });
    const [first] = (await env.db.pool.query<{ id: string }>("SELECT id::text FROM quarantined_records WHERE run_id = $1 ORDER BY id LIMIT 1", [runIds[0]])).rows;
    await discardQuarantined(env.ctx, { ids: [BigInt(first!.id)] }, "a test station");

    const dashboard = await pipelineDashboard(env.ctx, pipelineId, {});
    expect(dashboard.runsInRange).toBe(2);
    expect(dashboard.runs.map((r) => r.runId)).toEqual(runIds);
    expect(dashboard.runs[0]).toMatchObject({ status: "succeeded", rowsRead: 8, rowsLoaded: 3, rowsQuarantined: 3, rowsDiscarded: 2, rejectRatePercent: 37.5 });
    expect(dashboard.rejectRateThresholdPercent).toBe(25);
    const today = new Date().toISOString().slice(0, 10);
    expect(dashboard.quarantineByRule).toEqual([
      { day: today, nodeId: "val", field: "aqi", rule: "max", violations: 2 },
      expect.objectContaining({ day: today, violations: 1 }),
      expect.objectContaining({ day: today, violations: 1 }),
    ]);
    expect(dashboard.backlog).toEqual({ open: 2, fixed: 0, reingested: 0, discarded: 1 });
    expect(dashboard.latestRuns.map((r) => r.id)).toEqual([...runIds].reverse());
    expect(dashboard.freshness).toMatchObject({ schedule: null, late: false });

    const later = await pipelineDashboard(env.ctx, pipelineId, { from: new Date(Date.now() + 60_000), to: new Date(Date.now() + 120_000) });
    expect(later.runsInRange).toBe(0);
    expect(later.runs).toEqual([]);
  });

  it("is not found from another workspace", async () => {
    const other = await env.ctx.prisma.workspace.create({ data: { name: "Elsewhere" } });
    await expect(pipelineDashboard({ ...env.ctx, workspaceId: other.id }, pipelineId, {})).rejects.toThrow(/does not exist/);
  });
});

describe("the control room", () => {
  it("puts failing pipelines first, then late ones, with last run, success rate and open quarantine", async () => {
    const { workspaceId, prisma } = env.ctx;
    const failing = await env.pipeline({ nodes: [], edges: [] }, "Broken feed");
    const version = await prisma.pipelineVersion.findFirstOrThrow({ where: { pipelineId: failing.id } });
    const hourAgo = new Date(Date.now() - 3_600_000);
    const failed = await prisma.run.create({
      data: { workspaceId, pipelineId: failing.id, versionId: version.id, status: "failed", error: "the API answered 503", startedAt: hourAgo, finishedAt: new Date() },
    });
    const late = await env.pipeline({ nodes: [], edges: [] }, "Hourly export");
    await prisma.pipeline.update({ where: { id: late.id }, data: { createdAt: new Date(Date.now() - 5 * 3_600_000) } });
    await prisma.pipelineSchedule.create({ data: { pipelineId: late.id, workspaceId, cron: "0 * * * *", timezone: "UTC", nextFireAt: new Date(Date.now() + 3_600_000) } });
    const client = await env.db.pool.connect();
    try {
      await recordRunStats(client, failed.id);
    } finally {
      client.release();
    }

    const rows = await controlRoom(env.ctx);
    expect(rows.map((r) => [r.name, r.health])).toEqual([
      ["Broken feed", "failing"],
      ["Hourly export", "late"],
      ["Air quality", "healthy"],
    ]);
    expect(rows[0]).toMatchObject({ reason: "The last run failed: the API answered 503", lastRun: { id: failed.id, status: "failed" }, successRate7d: 0, runs7d: 1 });
    expect(rows[1]).toMatchObject({ reason: "No successful run in two schedule periods", lastRun: null, successRate7d: null });
    expect(rows[1]!.nextRunAt).not.toBeNull();
    expect(rows[2]).toMatchObject({ lastRun: { id: runIds[1], status: "succeeded" }, successRate7d: 100, runs7d: 2, openQuarantine: 2, running: false });
  });
});
