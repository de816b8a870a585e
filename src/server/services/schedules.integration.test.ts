import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { InvalidSettingError } from "../errors";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { queuedJobs } from "../testing/jobs";
import { fireSchedule, getSchedule, setSchedule, tickSchedules } from "./schedules";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;

beforeAll(async () => {
  env = await createEngineEnvironment();
});
afterAll(async () => {
  await env?.close();
});

/** The clock of these tests: years ahead of the real one, so a worker's own real-time ticks never find these schedules due. */
const at = (text: string) => new Date(`2031-${text}`);

function newPipeline(name: string) {
  return env.loadPipeline(`t_${name}`, "id,amount\n1,10\n2,20\n", { name });
}

async function fireJobs(pipelineId: string) {
  const jobs = await queuedJobs<{ pipelineId: string; scheduledFor: string }>(env.db.pool, "schedule-fire");
  return jobs.filter((j) => j.payload.pipelineId === pipelineId);
}

async function runsOf(pipelineId: string) {
  return env.ctx.prisma.run.findMany({ where: { pipelineId }, orderBy: { createdAt: "asc" } });
}

describe("saving a schedule", () => {
  it("describes it in words and shows the next five fire times in its timezone", async () => {
    const pipeline = await newPipeline("described");
    const saved = await setSchedule(env.ctx, pipeline.id, { cron: "5 * * * *", timezone: "Europe/Oslo" }, at("03-29T00:30:00Z"));
    expect(saved.description).toBe("At 5 minutes past the hour, Europe/Oslo");
    expect(saved.next.map((d) => d.toISOString())).toEqual([
      "2031-03-29T01:05:00.000Z",
      "2031-03-29T02:05:00.000Z",
      "2031-03-29T03:05:00.000Z",
      "2031-03-29T04:05:00.000Z",
      "2031-03-29T05:05:00.000Z",
    ]);
    expect(saved).toMatchObject({ enabled: true, overlap: "skip", catchUp: "latest" });
    expect(saved.nextFireAt?.toISOString()).toBe("2031-03-29T01:05:00.000Z");
  });

  it("refuses an invalid cron expression or timezone with the reason, and keeps the old schedule", async () => {
    const pipeline = await newPipeline("refused");
    await setSchedule(env.ctx, pipeline.id, { cron: "0 6 * * *", timezone: "UTC" });
    await expect(setSchedule(env.ctx, pipeline.id, { cron: "0 25 * * *", timezone: "UTC" })).rejects.toThrow(/hour: 25/);
    await expect(setSchedule(env.ctx, pipeline.id, { cron: "0 6 * * *", timezone: "Europe/Atlantis" })).rejects.toBeInstanceOf(InvalidSettingError);
    expect((await getSchedule(env.ctx, pipeline.id))?.cron).toBe("0 6 * * *");
  });

  it("pauses: a paused schedule has no next fire time and no tick fires it", async () => {
    const pipeline = await newPipeline("paused");
    const paused = await setSchedule(env.ctx, pipeline.id, { cron: "* * * * *", timezone: "UTC", enabled: false }, at("01-01T00:00:00Z"));
    expect(paused.next).toEqual([]);
    expect(paused.nextFireAt).toBeNull();
    await tickSchedules(env.db.pool, at("01-02T00:00:00Z"));
    expect(await fireJobs(pipeline.id)).toEqual([]);
  });
});

describe("the scheduler tick", () => {
  it("fires a schedule once when it is due, with a job key per fire time, and moves it on", async () => {
    const pipeline = await newPipeline("hourly");
    await setSchedule(env.ctx, pipeline.id, { cron: "0 * * * *", timezone: "UTC" }, at("05-01T10:30:00Z"));
    expect((await tickSchedules(env.db.pool, at("05-01T10:59:59Z"))).filter((f) => f.pipelineId === pipeline.id)).toEqual([]);
    const fired = await tickSchedules(env.db.pool, at("05-01T11:00:02Z"));
    expect(fired.filter((f) => f.pipelineId === pipeline.id).map((f) => f.scheduledFor.toISOString())).toEqual(["2031-05-01T11:00:00.000Z"]);
    // The same instant again finds nothing due: the first tick moved the schedule on.
    expect((await tickSchedules(env.db.pool, at("05-01T11:00:02Z"))).filter((f) => f.pipelineId === pipeline.id)).toEqual([]);
    expect((await fireJobs(pipeline.id)).map((j) => j.key)).toEqual([`schedule:${pipeline.id}:2031-05-01T11:00:00.000Z`]);
    expect((await getSchedule(env.ctx, pipeline.id))?.nextFireAt?.toISOString()).toBe("2031-05-01T12:00:00.000Z");
  });

  it.each([
    ["none", []],
    ["latest", ["2031-06-01T14:00:00.000Z"]],
    ["all", ["2031-06-01T10:00:00.000Z", "2031-06-01T11:00:00.000Z", "2031-06-01T12:00:00.000Z", "2031-06-01T13:00:00.000Z", "2031-06-01T14:00:00.000Z"]],
  ] as const)("after downtime from 09:30 to 14:30, catch-up %s runs %j", async (catchUp, expected) => {
    const pipeline = await newPipeline(`catchup_${catchUp}`);
    await setSchedule(env.ctx, pipeline.id, { cron: "0 * * * *", timezone: "UTC", catchUp }, at("06-01T09:30:00Z"));
    await tickSchedules(env.db.pool, at("06-01T14:30:00Z"));
    expect((await fireJobs(pipeline.id)).map((j) => j.payload.scheduledFor)).toEqual(expected.map((iso) => iso));
    const schedule = await getSchedule(env.ctx, pipeline.id);
    expect(schedule?.nextFireAt?.toISOString()).toBe("2031-06-01T15:00:00.000Z");
    expect(schedule?.lastOutcome).toMatch(catchUp === "all" ? /^5 fire times due$/ : /missed fire times? skipped/);
  });
});

describe("a fire", () => {
  it("starts a scheduled run with its fire time, and never a second one for the same fire time", async () => {
    const pipeline = await newPipeline("fire_once");
    await setSchedule(env.ctx, pipeline.id, { cron: "0 * * * *", timezone: "UTC" });
    const scheduledFor = at("07-01T08:00:00Z");
    expect(await fireSchedule(env.ctx, { pipelineId: pipeline.id, scheduledFor })).toMatchObject({ status: "started" });
    expect(await fireSchedule(env.ctx, { pipelineId: pipeline.id, scheduledFor })).toEqual({ status: "duplicate", message: "the run due 1 Jul 2031, 08:00 UTC had already started" });
    const runs = await runsOf(pipeline.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: "schedule", status: "queued", scheduledFor });
  });

  it("overlap skip: skips while the previous run is still going, and says so", async () => {
    const pipeline = await newPipeline("overlap_skip");
    await setSchedule(env.ctx, pipeline.id, { cron: "0 * * * *", timezone: "UTC", overlap: "skip" });
    await fireSchedule(env.ctx, { pipelineId: pipeline.id, scheduledFor: at("07-02T08:00:00Z") });
    const outcome = await fireSchedule(env.ctx, { pipelineId: pipeline.id, scheduledFor: at("07-02T09:00:00Z") });
    expect(outcome.status).toBe("skipped");
    expect(outcome.message).toMatch(/^skipped the run due 2 Jul 2031, 09:00 UTC: run .* was still queued$/);
    expect(await runsOf(pipeline.id)).toHaveLength(1);
    expect((await getSchedule(env.ctx, pipeline.id))?.lastOutcome).toBe(outcome.message);
  });

  it("overlap cancel-previous: cancels the run still going and starts the new one", async () => {
    const pipeline = await newPipeline("overlap_cancel");
    await setSchedule(env.ctx, pipeline.id, { cron: "0 * * * *", timezone: "UTC", overlap: "cancel-previous" });
    await fireSchedule(env.ctx, { pipelineId: pipeline.id, scheduledFor: at("07-03T08:00:00Z") });
    await fireSchedule(env.ctx, { pipelineId: pipeline.id, scheduledFor: at("07-03T09:00:00Z") });
    const [first, second] = await runsOf(pipeline.id);
    expect(first).toMatchObject({ status: "canceled", error: expect.stringMatching(/replaces it$/) });
    expect(second).toMatchObject({ status: "queued" });
    const nodes = await env.ctx.prisma.nodeRun.findMany({ where: { runId: first!.id } });
    expect(nodes.map((n) => n.status)).toEqual(["canceled", "canceled"]);
  });

  describe("with overlap queue", () => {
    let worker: WorkerHandle | undefined;
    afterAll(async () => {
      await worker?.stop();
    });

    it("queues the new run behind the one still going; it starts when that one finishes", async () => {
      const pipeline = await newPipeline("overlap_queue");
      await setSchedule(env.ctx, pipeline.id, { cron: "0 * * * *", timezone: "UTC", overlap: "queue" });
      await fireSchedule(env.ctx, { pipelineId: pipeline.id, scheduledFor: at("07-04T08:00:00Z") });
      await fireSchedule(env.ctx, { pipelineId: pipeline.id, scheduledFor: at("07-04T09:00:00Z") });
      const [first, second] = await runsOf(pipeline.id);
      expect(second).toMatchObject({ status: "queued", queuedBehindRunId: first!.id });
      // Only the first run's source is waiting for a worker: the second has no job yet.
      const nodeJobs = await queuedJobs<{ runId: string }>(env.db.pool, "run-node");
      expect(nodeJobs.map((j) => j.payload.runId)).toContain(first!.id);
      expect(nodeJobs.map((j) => j.payload.runId)).not.toContain(second!.id);

      worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
      expect((await env.waitForRun(first!.id)).status).toBe("succeeded");
      const after = await env.waitForRun(second!.id);
      expect(after.status).toBe("succeeded");
      expect(after.startedAt!.getTime()).toBeGreaterThanOrEqual((await env.waitForRun(first!.id)).finishedAt!.getTime());
    });
  });
});
