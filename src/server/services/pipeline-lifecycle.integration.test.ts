import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { runSchemaName } from "../engine/plan";
import { ConflictError, NotFoundError, RunStateError } from "../errors";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { deletePipeline, duplicatePipeline, getPipeline, listPipelineVersions, pipelineDeletionImpact, renamePipeline, updatePipeline } from "./pipelines";
import { startRun } from "./runs";

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

/** A source, a validate node that rejects negative readings, and a destination table. */
async function validatedPipeline(name: string, table: string) {
  const file = await env.upload(`${table}.csv`, "station,aqi\nAB001,12\nAB002,-4\nAB003,30\n");
  return env.pipeline(
    {
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
        { id: "val", type: "validate", config: { rules: [{ field: "aqi", type: "integer", min: 0 }] } },
        { id: "dst", type: "destination.postgres", config: { table, mode: "append" } },
      ],
      edges: [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ],
    },
    name,
  );
}

const auditActions = async (target: string) =>
  (await env.ctx.prisma.auditEvent.findMany({ where: { target }, orderBy: { id: "asc" } })).map((e) => e.action);

describe("renaming a pipeline", () => {
  it("changes the name without a new version, and refuses a name another pipeline has, whatever its case", async () => {
    const orders = await env.loadPipeline("rename_orders", "id\n1\n", { name: "Orders" });
    await env.loadPipeline("rename_refunds", "id\n1\n", { name: "Refunds" });

    expect(await renamePipeline(env.ctx, orders.id, "Orders 2026")).toEqual({ id: orders.id, name: "Orders 2026" });
    const renamed = await getPipeline(env.ctx, orders.id);
    expect(renamed).toMatchObject({ name: "Orders 2026", latestVersion: 1, graph: { name: "Orders 2026" } });
    expect(await listPipelineVersions(env.ctx, orders.id)).toHaveLength(1);
    expect(await auditActions(orders.id)).toContain("pipeline.renamed");

    await expect(renamePipeline(env.ctx, orders.id, "refunds")).rejects.toThrow(ConflictError);
    await expect(renamePipeline(env.ctx, orders.id, " REFUNDS ")).rejects.toThrow(/already exists/);
    // Saving a version under a taken name is the same rename and is refused the same way.
    await expect(updatePipeline(env.ctx, orders.id, { name: "Refunds", graph: renamed.graph })).rejects.toThrow(ConflictError);
    expect((await getPipeline(env.ctx, orders.id)).name).toBe("Orders 2026");
  });

  it("keeps its own name without complaint, and answers not found for a pipeline that is not there", async () => {
    const same = await env.loadPipeline("rename_same", "id\n1\n", { name: "Same" });
    expect(await renamePipeline(env.ctx, same.id, "Same")).toEqual({ id: same.id, name: "Same" });
    expect(await auditActions(same.id)).not.toContain("pipeline.renamed");
    await expect(renamePipeline(env.ctx, "00000000-0000-4000-8000-000000000000", "x")).rejects.toThrow(NotFoundError);
  });
});

describe("duplicating a pipeline", () => {
  it("creates “Copy of X” (then numbered) with the latest graph as version 1 and none of the triggers", async () => {
    const original = await env.loadPipeline("dup_source", "id\n1\n", { name: "Weather" });
    const saved = await getPipeline(env.ctx, original.id);
    await updatePipeline(env.ctx, original.id, { graph: { ...saved.graph, nodes: saved.graph.nodes.map((n) => (n.id === "dst" ? { ...n, config: { ...n.config, table: "dup_v2" } } : n)) } });
    await env.ctx.prisma.pipelineSchedule.create({ data: { pipelineId: original.id, workspaceId: env.ctx.workspaceId, cron: "5 * * * *", timezone: "UTC" } });

    const copy = await duplicatePipeline(env.ctx, original.id);
    expect(copy).toMatchObject({ name: "Copy of Weather", version: 1 });
    const copied = await getPipeline(env.ctx, copy.id);
    expect(copied).toMatchObject({ latestVersion: 1, name: "Copy of Weather" });
    expect(copied.graph.nodes.find((n) => n.id === "dst")?.config).toMatchObject({ table: "dup_v2" });
    expect(await env.ctx.prisma.pipelineSchedule.findUnique({ where: { pipelineId: copy.id } })).toBeNull();
    expect(await env.ctx.prisma.run.count({ where: { pipelineId: copy.id } })).toBe(0);

    expect((await duplicatePipeline(env.ctx, original.id)).name).toBe("Copy of Weather (2)");
    expect((await duplicatePipeline(env.ctx, original.id)).name).toBe("Copy of Weather (3)");
  });

  it("cuts the copy's name to the name limit", async () => {
    const long = await env.loadPipeline("dup_long", "id\n1\n", { name: "x".repeat(200) });
    const first = await duplicatePipeline(env.ctx, long.id);
    const second = await duplicatePipeline(env.ctx, long.id);
    expect(first.name).toHaveLength(200);
    expect(second.name).toHaveLength(200);
    expect(second.name.endsWith(" (2)")).toBe(true);
  });
});

describe("deleting a pipeline", () => {
  it("takes its runs, their data and quarantine, its triggers and shares, and keeps the destination table", async () => {
    const pipeline = await validatedPipeline("Doomed", "deleted_but_kept");
    const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
    expect((await env.waitForRun(runId)).status).toBe("succeeded");
    await env.ctx.prisma.pipelineSchedule.create({ data: { pipelineId: pipeline.id, workspaceId: env.ctx.workspaceId, cron: "5 * * * *", timezone: "UTC" } });
    await env.ctx.prisma.dashboardShare.create({ data: { workspaceId: env.ctx.workspaceId, pipelineId: pipeline.id, tokenHash: `doomed-${pipeline.id}`, createdBy: "test" } });

    expect(await pipelineDeletionImpact(env.ctx, pipeline.id)).toMatchObject({
      name: "Doomed",
      runs: 1,
      activeRuns: 0,
      quarantined: 1,
      schedule: true,
      shares: 1,
      keptTables: ["public.deleted_but_kept"],
    });

    expect(await deletePipeline(env.ctx, pipeline.id)).toEqual({ id: pipeline.id, name: "Doomed", runs: 1, quarantined: 1 });
    expect(await env.ctx.prisma.pipeline.findUnique({ where: { id: pipeline.id } })).toBeNull();
    expect(await env.ctx.prisma.run.count({ where: { id: runId } })).toBe(0);
    expect(await env.ctx.prisma.quarantinedRecord.count({ where: { runId } })).toBe(0);
    expect(await env.ctx.prisma.dashboardShare.count({ where: { pipelineId: pipeline.id } })).toBe(0);
    const schema = await env.ctx.pool.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [runSchemaName(runId)]);
    expect(schema.rowCount).toBe(0);
    const kept = await env.ctx.pool.query<{ station: string }>("SELECT station FROM public.deleted_but_kept ORDER BY station");
    expect(kept.rows.map((r) => r.station)).toEqual(["AB001", "AB003"]);
    const event = await env.ctx.prisma.auditEvent.findFirst({ where: { target: pipeline.id, action: "pipeline.deleted" } });
    expect(event?.details).toEqual({ name: "Doomed", runs: 1, quarantined: 1 });

    await expect(deletePipeline(env.ctx, pipeline.id)).rejects.toThrow(NotFoundError);
  });

  it("is refused while a run is queued or running, and keeps everything", async () => {
    const pipeline = await env.loadPipeline("busy_table", "id\n1\n", { name: "Busy" });
    const version = await env.ctx.prisma.pipelineVersion.findFirstOrThrow({ where: { pipelineId: pipeline.id } });
    const run = await env.ctx.prisma.run.create({ data: { workspaceId: env.ctx.workspaceId, pipelineId: pipeline.id, versionId: version.id, status: "running" } });

    expect((await pipelineDeletionImpact(env.ctx, pipeline.id)).activeRuns).toBe(1);
    await expect(deletePipeline(env.ctx, pipeline.id)).rejects.toThrow(RunStateError);
    await expect(deletePipeline(env.ctx, pipeline.id)).rejects.toThrow(/run in progress/);
    expect(await env.ctx.prisma.run.count({ where: { id: run.id } })).toBe(1);
    expect(await env.ctx.prisma.pipeline.count({ where: { id: pipeline.id } })).toBe(1);
  });
});
