import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { createChannel, createRule, listAlertHistory } from "../services/alerts";
import { startRun } from "../services/runs";
import { startHttpReceiver } from "../testing/http-receiver";
import type { TAlertMessage } from "./message";

/** The whole path with a real worker: a run finishes, its rules are judged, each channel gets its message, and a failing channel is retried. */

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;
let flaky: Awaited<ReturnType<typeof startHttpReceiver>>;
let slack: Awaited<ReturnType<typeof startHttpReceiver>>;
let flakyCalls = 0;

beforeAll(async () => {
  // The webhook receiver fails its first request, as a receiver restarting would.
  flaky = await startHttpReceiver(() => (++flakyCalls === 1 ? { status: 503, body: "restarting" } : { status: 200, body: "ok" }));
  slack = await startHttpReceiver();
  env = await createEngineEnvironment({ SLUICE_PUBLIC_URL: "https://sluice.example.com" });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
  await flaky?.close();
  await slack?.close();
  delete process.env.SLUICE_PUBLIC_URL;
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    // The retry waits out graphile-worker's backoff; move it to now instead of waiting seconds.
    await env.db.pool.query(
      `UPDATE graphile_worker._private_jobs SET run_at = now() WHERE attempts > 0 AND locked_at IS NULL AND task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'alert-deliver')`,
    );
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("alerts when a run finishes", () => {
  it("a run rejecting too many rows sends one message per channel; the channel answering 503 is retried and then sent, and the run was never held up", async () => {
    const file = await env.upload("air.csv", "station,aqi\nOSL01,42\nOSL02,999\nBGO01,abc\nTRD01,17\n");
    const pipeline = await env.pipeline(
      {
        nodes: [
          { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
          { id: "val", type: "validate", config: { rules: [{ field: "aqi", type: "integer", required: true, max: 500 }] } },
          { id: "dst", type: "destination.postgres", config: { table: "air_alerts", mode: "append" } },
        ],
        edges: [
          { from: "src", to: "val" },
          { from: "val", to: "dst" },
        ],
      },
      "Air quality",
    );
    const ctx = { ...env.ctx, actor: "test" };
    const hook = await createChannel(ctx, { type: "webhook", name: "hook", config: { url: `${flaky.url}/sluice` } });
    const chat = await createChannel(ctx, { type: "slack", name: "chat", config: { url: `${slack.url}/services/T/B/secret` } });
    await createRule(ctx, { pipelineId: pipeline.id, kind: "reject_rate", threshold: 10, channelIds: [hook.id, chat.id] });

    const { runId } = await startRun(ctx, { pipelineId: pipeline.id, trigger: "manual" });
    const run = await env.waitForRun(runId);
    expect(run.status).toBe("succeeded");

    const history = await until("both deliveries sent", async () => {
      const entries = await listAlertHistory(ctx, { pipelineId: pipeline.id });
      return entries.length === 2 && entries.every((e) => e.status === "sent") ? entries : undefined;
    });
    const byChannel = Object.fromEntries(history.map((e) => [e.channel.name, e]));
    expect(byChannel.hook).toMatchObject({ event: "firing", attempts: 2, lastError: null });
    expect(byChannel.chat).toMatchObject({ event: "firing", attempts: 1 });
    expect(byChannel.hook!.incident).toMatchObject({ kind: "reject_rate", pipelineName: "Air quality", runId, status: "open" });

    expect(flaky.received).toHaveLength(2);
    const delivered = flaky.received[1]!;
    const [t, v1] = String(delivered.headers["sluice-signature"]).split(",").map((p) => p.split("=")[1]!);
    expect(v1).toBe(createHmac("sha256", hook.secret!).update(`${t}.${delivered.body}`).digest("hex"));
    const message = JSON.parse(delivered.body) as TAlertMessage;
    expect(message).toMatchObject({
      event: "firing",
      pipeline: { id: pipeline.id, name: "Air quality" },
      rule: { kind: "reject_rate", description: "Reject rate above 10%" },
      figures: { rejectRatePercent: 50, rowsRejected: 2, rowsRead: 4, thresholdPercent: 10 },
      links: { run: `https://sluice.example.com/runs/${runId}`, log: `https://sluice.example.com/runs/${runId}?node=val#node-val` },
    });
    const slackText = (JSON.parse(slack.received[0]!.body) as { text: string }).text;
    expect(slackText).toContain("*[Sluice] FIRING: Air quality: Reject rate above 10%*");
    expect(slackText).toContain(`<https://sluice.example.com/runs/${runId}?node=val#node-val|Failing node's log>`);

    // The same breach again: counted on the incident, no second message.
    const again = await startRun(ctx, { pipelineId: pipeline.id, trigger: "manual" });
    await env.waitForRun(again.runId);
    await until("the repeat to be counted", async () => {
      const incident = await env.ctx.prisma.alertIncident.findFirst({ where: { pipelineId: pipeline.id } });
      return incident && incident.repeats === 1 ? incident : undefined;
    });
    expect(await listAlertHistory(ctx, { pipelineId: pipeline.id })).toHaveLength(2);
  });
});
