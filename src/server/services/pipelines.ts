import { checkGraph, type GraphProblem } from "@/nodes/graph";
import { recordAudit } from "../audit/record";
import type { TParamValue } from "@/nodes/params";
import type { TPipelineGraph } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import { ident, sql } from "@/nodes/sql";
import type { Prisma } from "@/generated/prisma/client";
import { toJson } from "../db/json";
import { protectedRelationProblem } from "../db/protected-relations";
import { query, transaction } from "../db/query";
import { ConflictError, GraphInvalidError, NotFoundError, RunStateError } from "../errors";
import { runSchemaName } from "../engine/plan";
import { loadUploadCatalog } from "../engine/uploads-catalog";
import type { TRequestContext } from "../context";

/**
 * Only unfinished wiring (an input not connected yet) may be saved; everything else —
 * an invalid config, an expression that does not parse or names a missing column, a
 * cycle — is refused at save time, naming the node, the field and the reason.
 */
const SAVEABLE_PROBLEMS = new Set<GraphProblem["code"]>(["missing-input"]);

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId" | "actor">;

type PoolCtx = Ctx & Pick<TRequestContext, "pool">;

/** As long as a pipeline name may be, everywhere it is taken in. */
export const PIPELINE_NAME_MAX = 200;

/**
 * Refuses a name another pipeline of the workspace has (case and surrounding spaces
 * ignored, so "Orders" and "orders " cannot both exist). Called inside the transaction that
 * writes the name, after taking the workspace's name lock, so two renames cannot race.
 */
async function assertNameFree(tx: Prisma.TransactionClient, workspaceId: string, name: string, exceptId?: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('pipeline-names'), hashtext(${workspaceId}))`;
  const taken = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM pipelines
     WHERE workspace_id = ${workspaceId}::uuid AND lower(btrim(name)) = lower(btrim(${name}))
       AND (${exceptId ?? null}::uuid IS NULL OR id <> ${exceptId ?? null}::uuid)
     LIMIT 1`;
  if (taken.length > 0) throw new ConflictError(`A pipeline named “${name}” already exists in this workspace: choose another name`);
}

/**
 * Checks a graph the way saving and running do, with upload metadata loaded; with a run's
 * parameter values (see resolveRunParams) its settings are resolved with them.
 */
export async function validateGraph(ctx: Ctx, graph: unknown, params?: Record<string, TParamValue>) {
  const upload = await loadUploadCatalog(ctx.prisma, ctx.workspaceId, graph);
  return checkGraph(graph, { registry, upload, tableProblem: protectedRelationProblem, ...(params ? { params } : {}) });
}

async function checkedForSave(ctx: Ctx, graph: unknown): Promise<TPipelineGraph> {
  const checked = await validateGraph(ctx, graph);
  const blocking = checked.problems.filter((p) => !SAVEABLE_PROBLEMS.has(p.code));
  if (blocking.length > 0 || !checked.graph) throw new GraphInvalidError(blocking.length ? blocking : checked.problems, "saved");
  return checked.graph;
}

export async function createPipeline(ctx: Ctx, input: { name?: string; graph: unknown }) {
  const graph = await checkedForSave(ctx, input.graph);
  const name = input.name ?? graph.name;
  const created = await ctx.prisma.$transaction(async (tx) => {
    const pipeline = await tx.pipeline.create({ data: { workspaceId: ctx.workspaceId, name, latestVersion: 1 } });
    await tx.pipelineVersion.create({
      data: { workspaceId: ctx.workspaceId, pipelineId: pipeline.id, number: 1, graph: toJson({ ...graph, name }), createdBy: ctx.actor },
    });
    return { id: pipeline.id, version: 1 };
  });
  // Created empty or imported with a graph: the node count tells the two apart.
  await recordAudit(ctx, { action: "pipeline.created", target: created.id, details: { name, nodes: graph.nodes.length } });
  return created;
}

/** Saves a new immutable version (versions are never edited in place). */
export async function updatePipeline(ctx: Ctx, id: string, input: { name?: string; graph: unknown }) {
  const graph = await checkedForSave(ctx, input.graph);
  const name = input.name ?? graph.name;
  const saved = await ctx.prisma.$transaction(async (tx) => {
    // Row lock: two concurrent saves get consecutive numbers instead of a unique violation.
    const locked = await tx.$queryRaw<{ latest_version: number }[]>`
      SELECT latest_version FROM pipelines WHERE id = ${id}::uuid AND workspace_id = ${ctx.workspaceId}::uuid FOR UPDATE`;
    const current = locked[0];
    if (!current) throw new NotFoundError("Pipeline", id);
    const number = current.latest_version + 1;
    const before = await tx.pipeline.findUniqueOrThrow({ where: { id }, select: { name: true } });
    if (before.name !== name) await assertNameFree(tx, ctx.workspaceId, name, id);
    await tx.pipelineVersion.create({
      data: { workspaceId: ctx.workspaceId, pipelineId: id, number, graph: toJson({ ...graph, name }), createdBy: ctx.actor },
    });
    await tx.pipeline.update({ where: { id }, data: { name, latestVersion: number } });
    return { id, version: number };
  });
  await recordAudit(ctx, { action: "pipeline.saved", target: id, details: { name, version: saved.version } });
  return saved;
}

export async function getPipeline(ctx: Ctx, id: string, version?: number) {
  const pipeline = await ctx.prisma.pipeline.findFirst({ where: { id, workspaceId: ctx.workspaceId } });
  if (!pipeline) throw new NotFoundError("Pipeline", id);
  const pinned = await ctx.prisma.pipelineVersion.findUnique({
    where: { pipelineId_number: { pipelineId: id, number: version ?? pipeline.latestVersion } },
  });
  if (!pinned) throw new NotFoundError(`Version ${version} of pipeline`, id);
  return {
    id: pipeline.id,
    name: pipeline.name,
    version: pinned.number,
    latestVersion: pipeline.latestVersion,
    // A rename saves no version: the latest version opens under the pipeline's name; older ones keep the name they were saved with.
    graph: pinned.number === pipeline.latestVersion ? { ...(pinned.graph as TPipelineGraph), name: pipeline.name } : (pinned.graph as TPipelineGraph),
    createdAt: pipeline.createdAt,
    updatedAt: pipeline.updatedAt,
    versionCreatedAt: pinned.createdAt,
    versionCreatedBy: pinned.createdBy,
  };
}

export async function listPipelineVersions(ctx: Ctx, id: string) {
  const pipeline = await ctx.prisma.pipeline.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: { id: true } });
  if (!pipeline) throw new NotFoundError("Pipeline", id);
  return ctx.prisma.pipelineVersion.findMany({
    where: { pipelineId: id },
    orderBy: { number: "desc" },
    select: { number: true, createdAt: true, createdBy: true },
  });
}

/** Most recently updated first; with `page`, keyset-paginated (`cursor`: the last id of the previous page). */
export async function listPipelines(ctx: Ctx, page?: { limit: number; cursor?: string | undefined }) {
  const pipelines = await ctx.prisma.pipeline.findMany({
    where: { workspaceId: ctx.workspaceId },
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
    ...(page ? { take: page.limit + 1, ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}) } : {}),
    include: { runs: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true, createdAt: true } } },
  });
  return pipelines.map(({ runs, ...p }) => ({ ...p, lastRun: runs[0] ?? null }));
}

/**
 * Renames without a new version: a name is how people find a pipeline, not part of what
 * it does, so runs and the version history stay as they were. The next save carries it.
 */
export async function renamePipeline(ctx: Ctx, id: string, name: string) {
  const renamed = await ctx.prisma.$transaction(async (tx) => {
    const pipeline = await tx.pipeline.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: { name: true } });
    if (!pipeline) throw new NotFoundError("Pipeline", id);
    if (pipeline.name === name) return { id, name, before: name };
    await assertNameFree(tx, ctx.workspaceId, name, id);
    await tx.pipeline.update({ where: { id }, data: { name } });
    return { id, name, before: pipeline.name };
  });
  if (renamed.before !== name) await recordAudit(ctx, { action: "pipeline.renamed", target: id, details: { from: renamed.before, to: name } });
  return { id, name };
}

/** "Copy of X", or "Copy of X (2)" and on when that is taken, cut to fit the name limit. */
function copyName(original: string, attempt: number): string {
  const suffix = attempt > 1 ? ` (${attempt})` : "";
  return `Copy of ${original}`.slice(0, PIPELINE_NAME_MAX - suffix.length) + suffix;
}

/**
 * A new pipeline with the current version's graph as its version 1. Only the graph is
 * copied: no runs, no schedule, webhook, dependencies, alert rules or share links, so a copy
 * never starts on its own or loads into the original's tables before someone says so.
 */
export async function duplicatePipeline(ctx: Ctx, id: string) {
  const original = await getPipeline(ctx, id);
  const created = await ctx.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('pipeline-names'), hashtext(${ctx.workspaceId}))`;
    const taken = new Set(
      (await tx.pipeline.findMany({ where: { workspaceId: ctx.workspaceId, name: { startsWith: "Copy of ", mode: "insensitive" } }, select: { name: true } })).map((p) =>
        p.name.trim().toLowerCase(),
      ),
    );
    let attempt = 1;
    while (taken.has(copyName(original.name, attempt).toLowerCase())) attempt += 1;
    const name = copyName(original.name, attempt);
    const pipeline = await tx.pipeline.create({ data: { workspaceId: ctx.workspaceId, name, latestVersion: 1, dependencyMode: "any" } });
    await tx.pipelineVersion.create({
      data: { workspaceId: ctx.workspaceId, pipelineId: pipeline.id, number: 1, graph: toJson({ ...original.graph, name }), createdBy: ctx.actor },
    });
    return { id: pipeline.id, name, version: 1 };
  });
  await recordAudit(ctx, { action: "pipeline.duplicated", target: created.id, details: { from: id, fromVersion: original.version, name: created.name } });
  return created;
}

/** The destination tables the pipeline's latest version writes: deleting it keeps them. */
function writtenTables(graph: TPipelineGraph): string[] {
  const tables = new Set<string>();
  for (const node of graph.nodes) {
    const definition = registry.get(node.type);
    const config = definition?.config.safeParse(node.config);
    if (!definition?.tables || !config?.success) continue;
    for (const use of definition.tables(config.data)) if (use.access === "write") tables.add(`${use.schema ?? "public"}.${use.table}`);
  }
  return [...tables].sort();
}

/** What deleting the pipeline takes with it and what it keeps, for the confirmation to say. */
export async function pipelineDeletionImpact(ctx: Ctx, id: string) {
  const pipeline = await getPipeline(ctx, id);
  const [runs, activeRuns, quarantined, schedule, webhook, shares, downstreams, alertRules] = await Promise.all([
    ctx.prisma.run.count({ where: { pipelineId: id } }),
    ctx.prisma.run.count({ where: { pipelineId: id, status: { in: ["queued", "running"] } } }),
    ctx.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM quarantined_records q JOIN runs r ON r.id = q.run_id WHERE r.pipeline_id = ${id}::uuid`,
    ctx.prisma.pipelineSchedule.count({ where: { pipelineId: id } }),
    ctx.prisma.pipelineWebhook.count({ where: { pipelineId: id } }),
    ctx.prisma.dashboardShare.count({ where: { pipelineId: id, revokedAt: null } }),
    ctx.prisma.pipelineDependency.count({ where: { upstreamId: id } }),
    ctx.prisma.alertRule.count({ where: { pipelineId: id } }),
  ]);
  return {
    id,
    name: pipeline.name,
    runs,
    activeRuns,
    quarantined: quarantined[0]?.count ?? 0,
    schedule: schedule > 0,
    webhook: webhook > 0,
    shares,
    downstreams,
    alertRules,
    keptTables: writtenTables(pipeline.graph),
  };
}

/**
 * Deletes the pipeline with its versions, runs (their data schemas, which lineage reads, and
 * their quarantined records), schedule, webhook, dependencies, alert rules and share links.
 * Destination tables are kept: they are the user's data, and other pipelines or readers may
 * use them. Refused while a run is queued or running, so no job writes into what is going.
 */
export async function deletePipeline(ctx: PoolCtx, id: string) {
  const deleted = await transaction(ctx.pool, async (client) => {
    const locked = await client.query<{ name: string }>("SELECT name FROM pipelines WHERE id = $1 AND workspace_id = $2 FOR UPDATE", [id, ctx.workspaceId]);
    const pipeline = locked.rows[0];
    if (!pipeline) throw new NotFoundError("Pipeline", id);
    const active = await client.query<{ id: string }>("SELECT id::text FROM runs WHERE pipeline_id = $1 AND status IN ('queued', 'running') LIMIT 1", [id]);
    if (active.rows[0]) {
      throw new RunStateError(`“${pipeline.name}” has a run in progress (${active.rows[0].id}): cancel it or let it finish, then delete the pipeline`);
    }
    const runs = (await client.query<{ id: string }>("SELECT id::text FROM runs WHERE pipeline_id = $1", [id])).rows.map((r) => r.id);
    for (const runId of runs) await query(client, sql`DROP SCHEMA IF EXISTS ${ident(runSchemaName(runId))} CASCADE`);
    const quarantined = await client.query("DELETE FROM quarantined_records WHERE run_id = ANY($1::uuid[])", [runs]);
    await client.query("DELETE FROM webhook_signatures WHERE pipeline_id = $1", [id]);
    // Runs before versions: a run's version is RESTRICT, so the pipeline's cascade alone would trip on it.
    await client.query("DELETE FROM runs WHERE pipeline_id = $1", [id]);
    await client.query("DELETE FROM pipelines WHERE id = $1", [id]);
    return { name: pipeline.name, runs: runs.length, quarantined: quarantined.rowCount ?? 0 };
  });
  await recordAudit(ctx, { action: "pipeline.deleted", target: id, details: deleted });
  return { id, ...deleted };
}
