/**
 * Run parameters are data: a run started with `params.reingest` naming another pipeline's
 * quarantined records once pulled them into the caller's table and marked them re-ingested
 * with a forged author. Re-ingest starts only through its own endpoint, for the caller's
 * records, with the caller as the author.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { InvalidSettingError } from "../errors";
import { createPipeline } from "./pipelines";
import { startReingest } from "./reingest";
import { startRun, type RunCtx } from "./runs";
import { saveUpload } from "./uploads";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;

beforeAll(async () => {
  env = await createEngineEnvironment();
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

/** source → validate (station must look like AB001) → append to `table`. */
async function pipelineInto(ctx: RunCtx, table: string, csv: string, params: unknown[] = []) {
  const file = await saveUpload(ctx, { filename: `${table}.csv`, contentType: "text/csv", stream: Readable.from([Buffer.from(csv)]), sizeLimit: 1 << 20 });
  return createPipeline(ctx, {
    graph: {
      format: 1,
      name: table,
      params,
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "val", type: "validate", config: { rules: [{ field: "station", pattern: "[A-Z]{2}[0-9]{3}" }] } },
        { id: "dst", type: "destination.postgres", config: { table, mode: "append" } },
      ],
      edges: [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ],
    },
  });
}

async function finished(runId: string) {
  for (let i = 0; i < 600; i++) {
    const run = await env.ctx.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, params: true } });
    if (["succeeded", "failed", "canceled"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe("run parameters", () => {
  it("cannot start a re-ingest of another pipeline's records, nor write their history", async () => {
    const victim = await pipelineInto(env.ctx, "victim_rows", "station,aqi\nsecret-1,1\nsecret-2,2\nAB001,3\n");
    const victimRun = await startRun(env.ctx, { pipelineId: victim.id, trigger: "manual" });
    expect((await finished(victimRun.runId)).status).toBe("succeeded");
    const quarantined = await env.ctx.prisma.quarantinedRecord.findMany({ where: { runId: victimRun.runId }, orderBy: { id: "asc" } });
    expect(quarantined).toHaveLength(2);

    const workspace = await env.ctx.prisma.workspace.create({ data: { name: "attacker" } });
    const attacker: RunCtx = { ...env.ctx, workspaceId: workspace.id, actor: "attacker" };
    const instruction = { entryNodeId: "val", recordIds: quarantined.map((q) => q.id.toString()), by: "anyone" };
    // Undeclared, it is refused before anything runs.
    const undeclared = await pipelineInto(attacker, "attacker_undeclared", "station,aqi\nAB002,9\n");
    await expect(startRun(attacker, { pipelineId: undeclared.id, trigger: "api", params: { reingest: instruction } })).rejects.toThrow(
      /"reingest" is not a parameter of this pipeline/,
    );
    // Declared, it is text like any other value.
    const own = await pipelineInto(attacker, "attacker_rows", "station,aqi\nAB002,9\n", [{ name: "reingest", type: "string" }]);
    const params = { reingest: JSON.stringify(instruction) };
    const { runId } = await startRun(attacker, { pipelineId: own.id, trigger: "api", params });

    const run = await finished(runId);
    expect(run.status).toBe("succeeded");
    // Kept as the data it is, and nothing more.
    expect(run.params).toEqual(params);
    const loaded = await env.db.pool.query("SELECT station FROM attacker_rows ORDER BY station");
    expect(loaded.rows).toEqual([{ station: "AB002" }]);
    const after = await env.ctx.prisma.quarantinedRecord.findMany({ where: { runId: victimRun.runId }, orderBy: { id: "asc" } });
    expect(after.map((q) => [q.status, q.history, q.reingestRunId])).toEqual(quarantined.map((q) => [q.status, q.history, q.reingestRunId]));
  });

  it("re-ingest through its own door is written down as the caller", async () => {
    const pipeline = await pipelineInto(env.ctx, "own_rows", "station,aqi\nbad,1\n");
    const first = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    await finished(first.runId);
    const [record] = await env.ctx.prisma.quarantinedRecord.findMany({ where: { runId: first.runId } });
    await env.ctx.prisma.quarantinedRecord.update({ where: { id: record!.id }, data: { record: { station: "AB009", aqi: "1" }, status: "fixed" } });

    const { runIds } = await startReingest(env.ctx, { ids: [record!.id] });
    expect((await finished(runIds[0]!)).status).toBe("succeeded");
    const settled = await env.ctx.prisma.quarantinedRecord.findUniqueOrThrow({ where: { id: record!.id } });
    expect(settled.status).toBe("reingested");
    expect(settled.history).toEqual([expect.objectContaining({ action: "reingest", by: env.ctx.actor, outcome: "passed" })]);
    // The re-ingest run's parameters are its original run's, not instructions.
    const reingestRun = await env.ctx.prisma.run.findUniqueOrThrow({ where: { id: runIds[0]! } });
    expect(reingestRun.params).toEqual({});
  });

  it("are a JSON object of named values, of bounded size and depth", async () => {
    const pipeline = await env.loadPipeline("params_checked", undefined, {
      params: [
        { name: "region", type: "string" },
        { name: "limit", type: "number" },
      ],
    });
    const refused = (params: unknown) => startRun(env.ctx, { pipelineId: pipeline.id, trigger: "api", params: params as Record<string, unknown> });
    await expect(refused({ "bad\u0000name": 1 })).rejects.toThrow(InvalidSettingError);
    await expect(refused({ big: "x".repeat(270_000) })).rejects.toThrow(/256 KiB/);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    await expect(refused({ deep })).rejects.toThrow(/nested/);
    await expect(refused({ tags: ["a"] })).rejects.toThrow(/"tags" is not a parameter of this pipeline/);
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "api", params: { region: "north", limit: "5" } });
    expect((await finished(runId)).params).toEqual({ region: "north", limit: 5 });
  });
});
