/**
 * The data plane cannot touch the app: what a pipeline could do to Sluice's own tables, the
 * job queue and the catalog before, tried again through the services the API calls.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { protectedRelationProblem } from "../db/protected-relations";
import { GraphInvalidError } from "../errors";
import { listDestinationRows } from "./destination-rows";
import { createPipeline } from "./pipelines";
import { startRun } from "./runs";
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

async function csvInto(destination: Record<string, unknown>, validate?: Record<string, unknown>, ctx = env.ctx) {
  const file = await saveUpload(ctx, { filename: "ids.csv", contentType: "text/csv", stream: Readable.from([Buffer.from("id,name\n1,a\n")]), sizeLimit: 1 << 20 });
  const nodes = [
    { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
    ...(validate ? [{ id: "val", type: "validate", config: validate }] : []),
    { id: "dst", type: "destination.postgres", config: destination },
  ];
  const edges = validate
    ? [
        { from: "src", to: "val" },
        { from: "val", to: "dst" },
      ]
    : [{ from: "src", to: "dst" }];
  return { format: 1, name: "attack", nodes, edges };
}

async function refusedAtSave(graph: unknown) {
  const refused = await createPipeline(env.ctx, { graph }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(GraphInvalidError);
  return (refused as GraphInvalidError).problems;
}

describe("a pipeline naming a table it may not touch", () => {
  it("is refused at save, the problem naming the table on the field that names it", async () => {
    const problems = await refusedAtSave(await csvInto({ schema: "graphile_worker", table: "_private_tasks", mode: "replace" }));
    expect(problems).toEqual([
      {
        nodeId: "dst",
        path: ["table"],
        code: "config",
        message: "dst: graphile_worker._private_tasks is in the schema graphile_worker, Sluice's job queue: pipelines may not use it; choose another schema",
      },
    ]);
    for (const table of ["worker_heartbeats", "pipeline_schedules", "api_tokens", "Pipeline", "_prisma_migrations"]) {
      const [problem] = await refusedAtSave(await csvInto({ table, mode: "append" }));
      expect(problem?.message).toContain(`public.${table} is one of Sluice's own tables`);
    }
    for (const schema of ["pg_catalog", "information_schema", "sluice_run_0123", "pg_toast"]) {
      const [problem] = await refusedAtSave(await csvInto({ schema, table: "t", mode: "append" }));
      expect(problem?.message).toContain(`${schema}.t is in the schema ${schema}`);
    }
  });

  it("is refused for a references rule on the catalog or an app table", async () => {
    const problems = await refusedAtSave(
      await csvInto({ table: "ok_table", mode: "append" }, { rules: [{ field: "name", references: { schema: "pg_catalog", table: "pg_authid", column: "rolname" } }] }),
    );
    expect(problems).toEqual([expect.objectContaining({ nodeId: "val", path: ["rules", 0, "references", "table"], message: expect.stringContaining("pg_catalog.pg_authid") })]);
  });

  it("saved before this rule existed, is refused when started", async () => {
    const saved = await createPipeline(env.ctx, { graph: await csvInto({ table: "harmless", mode: "append" }) });
    // A version as it could have been stored before saving checked tables.
    await env.db.pool.query(
      `UPDATE pipeline_versions SET graph = jsonb_set(graph, '{nodes,1,config}', '{"table": "worker_heartbeats", "mode": "replace"}') WHERE pipeline_id = $1`,
      [saved.id],
    );
    const refused = await startRun(env.ctx, { pipelineId: saved.id, trigger: "manual" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GraphInvalidError);
    expect(String(refused)).toContain("public.worker_heartbeats is one of Sluice's own tables");
  });

  it("covers every table and schema a freshly migrated database has", async () => {
    const relations = await env.db.pool.query<{ schema: string; table: string }>(
      `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT LIKE 'sluice\\_%' ORDER BY 1, 2`,
    );
    // Only the user's own tables (none in a fresh database) may be used.
    const allowed = relations.rows.filter((r) => protectedRelationProblem(r.schema, r.table) === null);
    expect(allowed).toEqual([]);
    expect(relations.rows.some((r) => r.schema === "graphile_worker")).toBe(true);
    expect(relations.rows.some((r) => r.schema === "public" && r.table === "quarantined_records")).toBe(true);
  });
});

describe("the loaded-rows viewer", () => {
  it("reads only rows this workspace's runs loaded, and never an app or catalog table", async () => {
    const mine = await createPipeline(env.ctx, { graph: await csvInto({ table: "shared_name", mode: "append" }) });
    const { runId } = await startRun(env.ctx, { pipelineId: mine.id, trigger: "manual" });
    expect((await env.waitForRun(runId)).status).toBe("succeeded");

    const other = await env.ctx.prisma.workspace.create({ data: { name: "someone else" } });
    const theirs = { ...env.ctx, workspaceId: other.id };
    expect(await listDestinationRows(theirs, { table: "shared_name" })).toEqual({ status: "notLoaded", table: '"public"."shared_name"' });
    const page = await listDestinationRows(env.ctx, { table: "shared_name" });
    expect(page).toMatchObject({ status: "loaded", total: 1, runIds: [runId] });

    // Rows another workspace's run appended to the same table stay out of this workspace's view.
    const otherPipeline = await createPipeline(theirs, { graph: await csvInto({ table: "shared_name", mode: "append" }, undefined, theirs) });
    const otherRun = await startRun(theirs, { pipelineId: otherPipeline.id, trigger: "manual" });
    await waitForRunIn(theirs, otherRun.runId);
    expect(await listDestinationRows(env.ctx, { table: "shared_name" })).toMatchObject({ status: "loaded", total: 1, runIds: [runId] });
    expect(await listDestinationRows(theirs, { table: "shared_name" })).toMatchObject({ status: "loaded", total: 1, runIds: [otherRun.runId] });

    expect(await listDestinationRows(env.ctx, { schema: "pg_catalog", table: "pg_authid" })).toEqual({ status: "missing", table: '"pg_catalog"."pg_authid"' });
    expect(await listDestinationRows(env.ctx, { table: "api_tokens" })).toEqual({ status: "missing", table: '"public"."api_tokens"' });
  });
});

async function waitForRunIn(ctx: typeof env.ctx, runId: string) {
  for (let i = 0; i < 600; i++) {
    const run = await ctx.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    if (["succeeded", "failed", "canceled"].includes(run.status)) {
      expect(run.status).toBe("succeeded");
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}
