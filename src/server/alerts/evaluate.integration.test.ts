import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { createRule, listAlertHistory, type TRuleInput } from "../services/alerts";
import { startHttpReceiver } from "../testing/http-receiver";
import { queuedJobs } from "../testing/jobs";
import { attemptDelivery } from "./deliveries";
import { evaluateFreshness, evaluateRunAlerts, reportSchemaDrift } from "./evaluate";
import type { TAlertMessage } from "./message";

/**
 * Rules judged against finished runs written as the engine leaves them (runs + node runs in
 * the real database), with the clock passed in: no worker, no sleeping. Each test has its
 * own workspace, so workspace-wide rules see only its pipelines.
 */

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
const T0 = new Date("2026-03-01T08:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

beforeAll(async () => {
  env = await createEngineEnvironment({ SLUICE_PUBLIC_URL: "https://sluice.example.com" });
});
afterAll(async () => {
  await env?.close();
});

async function workspace(name: string) {
  const prisma = env.ctx.prisma;
  const ws = await prisma.workspace.create({ data: { name } });
  const ctx = { prisma, pool: env.ctx.pool, workspaceId: ws.id, actor: "test" };
  const pipeline = await prisma.pipeline.create({ data: { workspaceId: ws.id, name: `${name} orders`, latestVersion: 1, createdAt: T0 } });
  const version = await prisma.pipelineVersion.create({ data: { workspaceId: ws.id, pipelineId: pipeline.id, number: 1, graph: { format: 1, name: pipeline.name, nodes: [], edges: [] } } });
  const channel = await prisma.alertChannel.create({ data: { workspaceId: ws.id, name: "hook", type: "webhook", config: { url: "http://127.0.0.1:9/unused" } } });
  return {
    ctx,
    pipeline,
    channelId: channel.id,
    rule: (input: Omit<TRuleInput, "channelIds">) => createRule(ctx, { pipelineId: pipeline.id, ...input, channelIds: [channel.id] }),
    /** A finished run as the engine records it: a CSV source, a destination, and the figures given. */
    async run(figures: { status?: "succeeded" | "failed"; finishedAt: Date; durationS?: number; read?: number; loaded?: number; rejected?: number; failedNode?: string; attempts?: number }) {
      const status = figures.status ?? "succeeded";
      const startedAt = new Date(figures.finishedAt.getTime() - (figures.durationS ?? 10) * 1000);
      const run = await prisma.run.create({
        data: { workspaceId: ws.id, pipelineId: pipeline.id, versionId: version.id, status, startedAt, finishedAt: figures.finishedAt, error: status === "failed" ? "node dst failed" : null },
      });
      const failed = figures.failedNode === "dst";
      await prisma.nodeRun.createMany({
        data: [
          { workspaceId: ws.id, runId: run.id, nodeId: "src", nodeType: "source.csv", status: "succeeded", attempt: 1, rowsIn: figures.read ?? 100, rowsOut: (figures.read ?? 100) - (figures.rejected ?? 0), rowsRejected: figures.rejected ?? 0 },
          {
            workspaceId: ws.id,
            runId: run.id,
            nodeId: "dst",
            nodeType: "destination.postgres",
            status: failed ? "failed" : "succeeded",
            attempt: figures.attempts ?? 1,
            rowsIn: figures.loaded ?? 100,
            rowsOut: failed ? 0 : (figures.loaded ?? 100),
            error: failed ? 'relation "orders" is locked' : null,
          },
        ],
      });
      return run.id;
    },
    deliveries: () => env.ctx.prisma.alertDelivery.findMany({ where: { workspaceId: ws.id }, orderBy: { createdAt: "asc" } }),
  };
}

const messageOf = (delivery: { message: unknown }) => delivery.message as TAlertMessage;

describe("run failed", () => {
  it("opens one incident with one message naming the pipeline, the node and its log; repeats are counted, not sent; a success resolves it once", async () => {
    const w = await workspace("failing");
    const { id: ruleId } = await w.rule({ kind: "run_failed" });
    const first = await w.run({ status: "failed", finishedAt: minutes(1), failedNode: "dst", attempts: 3 });
    expect(await evaluateRunAlerts(env.ctx, first, minutes(1))).toEqual([{ ruleId, pipelineId: w.pipeline.id, change: "opened" }]);
    // The same job run twice (a retried job) changes nothing.
    expect(await evaluateRunAlerts(env.ctx, first, minutes(1))).toEqual([{ ruleId, pipelineId: w.pipeline.id, change: "unchanged" }]);
    const second = await w.run({ status: "failed", finishedAt: minutes(2), failedNode: "dst", attempts: 3 });
    expect((await evaluateRunAlerts(env.ctx, second, minutes(2)))[0]!.change).toBe("repeated");

    const [firing, ...more] = await w.deliveries();
    expect(more).toEqual([]);
    const message = messageOf(firing!);
    expect(message.subject).toBe("[Sluice] FIRING: failing orders: Run failed");
    expect(message.text).toContain('The run failed at node "dst" after 3 attempts: relation "orders" is locked');
    expect(message.links).toEqual({
      run: `https://sluice.example.com/runs/${first}`,
      log: `https://sluice.example.com/runs/${first}?node=dst#node-dst`,
      pipeline: `https://sluice.example.com/pipelines/${w.pipeline.id}`,
    });
    expect(message.text).toContain(`Failing node's log: https://sluice.example.com/runs/${first}?node=dst#node-dst`);
    const jobs = (await queuedJobs<{ deliveryId: string }>(env.db.pool, "alert-deliver")).filter((j) => j.payload.deliveryId === firing!.id);
    expect(jobs).toHaveLength(1);

    const fixed = await w.run({ finishedAt: minutes(3) });
    expect((await evaluateRunAlerts(env.ctx, fixed, minutes(3)))[0]!.change).toBe("resolved");
    const incident = await env.ctx.prisma.alertIncident.findFirstOrThrow({ where: { ruleId } });
    expect(incident).toMatchObject({ status: "resolved", runId: first, resolvedByRunId: fixed, repeats: 1, resolvedAt: minutes(3) });
    const deliveries = await w.deliveries();
    expect(deliveries.map((d) => d.event)).toEqual(["firing", "resolved"]);
    expect(messageOf(deliveries[1]!).subject).toBe("[Sluice] RESOLVED: failing orders: Run failed");
    expect(messageOf(deliveries[1]!).links.run).toBe(`https://sluice.example.com/runs/${fixed}`);
    // Still fine: nothing more to say.
    expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(4) }), minutes(4)))[0]!.change).toBe("unchanged");
    // Broken again: a new incident, a new message.
    expect((await evaluateRunAlerts(env.ctx, await w.run({ status: "failed", finishedAt: minutes(5), failedNode: "dst" }), minutes(5)))[0]!.change).toBe("opened");
    expect(await w.deliveries()).toHaveLength(3);
  });

  it("a workspace-wide rule watches every pipeline of its workspace and no other", async () => {
    const w = await workspace("wide");
    const other = await workspace("other");
    await createRule(w.ctx, { kind: "run_failed", channelIds: [w.channelId] });
    expect((await evaluateRunAlerts(env.ctx, await w.run({ status: "failed", finishedAt: minutes(1), failedNode: "dst" }), minutes(1))).map((c) => c.change)).toEqual(["opened"]);
    expect(await evaluateRunAlerts(env.ctx, await other.run({ status: "failed", finishedAt: minutes(1), failedNode: "dst" }), minutes(1))).toEqual([]);
  });
});

describe("reject rate", () => {
  it("fires above the percentage with the counts that broke it", async () => {
    const w = await workspace("rejects");
    await w.rule({ kind: "reject_rate", threshold: 5 });
    expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(1), read: 200, rejected: 10 }), minutes(1)))[0]!.change).toBe("unchanged");
    const bad = await w.run({ finishedAt: minutes(2), read: 200, rejected: 25 });
    expect((await evaluateRunAlerts(env.ctx, bad, minutes(2)))[0]!.change).toBe("opened");
    const message = messageOf((await w.deliveries())[0]!);
    expect(message.figures).toEqual({ rejectRatePercent: 12.5, rowsRejected: 25, rowsRead: 200, thresholdPercent: 5 });
    expect(message.text).toContain("12.5% of the rows read were rejected (25 of 200); the limit is 5%");
    expect(message.links.log).toBe(`https://sluice.example.com/runs/${bad}?node=src#node-src`);
  });
});

describe("volume anomaly", () => {
  it("judges rows loaded against mean ± k·σ of the last N successful runs, and a fixed minimum", async () => {
    const w = await workspace("volume");
    await w.rule({ kind: "volume_anomaly", threshold: 2, window: 4, minimum: 50 });
    // Too little history for σ: only the minimum applies.
    expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(1), loaded: 40 }), minutes(1)))[0]!.change).toBe("opened");
    expect(messageOf((await w.deliveries())[0]!).figures).toEqual({ rowsLoaded: 40, minimum: 50 });
    expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(2), loaded: 1000 }), minutes(2)))[0]!.change).toBe("resolved");
    for (const [i, loaded] of [1010, 990, 1005].entries()) await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(3 + i), loaded }), minutes(3 + i));
    // The last 4: 1000, 1010, 990, 1005 → mean 1001.25, σ ≈ 7.4; 2σ band ≈ 986.4–1016.1.
    expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(10), loaded: 1015 }), minutes(10)))[0]!.change).toBe("unchanged");
    expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(11), loaded: 1100 }), minutes(11)))[0]!.change).toBe("opened");
    const figures = messageOf((await w.deliveries()).at(-1)!).figures;
    // The window moved on: 1010, 990, 1005, 1015.
    expect(figures).toEqual({ rowsLoaded: 1100, mean: 1005, stddev: 9.35, k: 2, lower: 986.29, upper: 1023.71, runsCompared: 4 });
    // A failed run says nothing about volume.
    expect((await evaluateRunAlerts(env.ctx, await w.run({ status: "failed", finishedAt: minutes(12), failedNode: "dst" }), minutes(12)))[0]!.change).toBe("unchanged");
  });
});

describe("duration anomaly", () => {
  it("fires when a run takes longer than k × the trailing median", async () => {
    const w = await workspace("slow");
    await w.rule({ kind: "duration_anomaly", threshold: 3, window: 5 });
    for (const [i, durationS] of [10, 12, 9, 11].entries()) {
      expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(i + 1), durationS }), minutes(i + 1)))[0]!.change).toBe("unchanged");
    }
    expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(10), durationS: 31 }), minutes(10)))[0]!.change).toBe("unchanged");
    expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(20), durationS: 40 }), minutes(20)))[0]!.change).toBe("opened");
    // Median of 10, 12, 9, 11, 31 is 11 s; the limit 33 s.
    expect(messageOf((await w.deliveries())[0]!).figures).toEqual({ durationSeconds: 40, medianSeconds: 11, k: 3, limitSeconds: 33, runsCompared: 5 });
  });
});

describe("freshness", () => {
  it("fires when no run succeeded within N hours, once, and a success clears it", async () => {
    const w = await workspace("stale");
    const { id: ruleId } = await w.rule({ kind: "freshness", threshold: 2 });
    await env.ctx.prisma.alertRule.update({ where: { id: ruleId }, data: { createdAt: T0 } });
    const mine = async (now: Date) => (await evaluateFreshness(env.ctx, now)).filter((c) => c.ruleId === ruleId).map((c) => c.change);
    await w.run({ finishedAt: minutes(30) });
    expect(await mine(minutes(120))).toEqual(["unchanged"]);
    expect(await mine(minutes(151))).toEqual(["opened"]);
    expect(await mine(minutes(156))).toEqual(["repeated"]);
    const [firing] = await w.deliveries();
    expect(messageOf(firing!).figures).toEqual({ hoursSinceLastSuccess: 2, thresholdHours: 2, lastSuccessAt: minutes(30).toISOString() });
    expect(messageOf(firing!).text).toContain(`No successful run for 2 hours (the last one finished ${minutes(30).toISOString()}); the limit is 2 hours`);
    // A success resolves it when the run finishes, without waiting for the next tick.
    const fresh = await w.run({ finishedAt: minutes(160) });
    expect((await evaluateRunAlerts(env.ctx, fresh, minutes(160))).map((c) => c.change)).toEqual(["resolved"]);
    expect(await mine(minutes(165))).toEqual(["unchanged"]);
    expect((await w.deliveries()).map((d) => d.event)).toEqual(["firing", "resolved"]);
  });
});

describe("schema drift", () => {
  it("a connector's report opens an incident that the next successful run resolves", async () => {
    const w = await workspace("drift");
    await w.rule({ kind: "schema_drift" });
    const drifted = await w.run({ finishedAt: minutes(1) });
    expect((await reportSchemaDrift(env.ctx, { runId: drifted, nodeId: "src", changes: ['column "price" became text'] }, minutes(1)))[0]!.change).toBe("opened");
    // The run that reported the drift does not clear it itself.
    expect((await evaluateRunAlerts(env.ctx, drifted, minutes(1)))[0]!.change).toBe("unchanged");
    expect((await evaluateRunAlerts(env.ctx, await w.run({ finishedAt: minutes(2) }), minutes(2)))[0]!.change).toBe("resolved");
  });
});

describe("deliveries", () => {
  it("a channel that keeps failing is retried until the last attempt and then shown as failed with its attempts", async () => {
    const w = await workspace("unreachable");
    const closed = await startHttpReceiver();
    await closed.close();
    const host = new URL(closed.url).host;
    await env.ctx.prisma.alertChannel.update({ where: { id: w.channelId }, data: { config: { url: closed.url } } });
    await w.rule({ kind: "run_failed" });
    await evaluateRunAlerts(env.ctx, await w.run({ status: "failed", finishedAt: minutes(1), failedNode: "dst" }), minutes(1));
    const [delivery] = await w.deliveries();
    await expect(attemptDelivery(env.ctx.prisma, delivery!.id, { number: 1, of: 3 })).rejects.toThrow(`(attempt 1 of 3): Could not reach ${host}: ECONNREFUSED`);
    await expect(attemptDelivery(env.ctx.prisma, delivery!.id, { number: 2, of: 3 })).rejects.toThrow("(attempt 2 of 3)");
    expect(await env.ctx.prisma.alertDelivery.findUniqueOrThrow({ where: { id: delivery!.id } })).toMatchObject({ status: "pending", attempts: 2 });
    expect(await attemptDelivery(env.ctx.prisma, delivery!.id, { number: 3, of: 3 })).toBe("failed");
    const [entry] = await listAlertHistory(w.ctx, {});
    expect(entry).toMatchObject({ status: "failed", attempts: 3, event: "firing", lastError: `Could not reach ${host}: ECONNREFUSED` });
    expect(entry!.incident).toMatchObject({ kind: "run_failed", pipelineName: "unreachable orders", status: "open" });
  });
});
