import type pg from "pg";
import { LINEAGE_COLUMN } from "@/nodes/contract";
import { checkGraph, type CheckedGraph } from "@/nodes/graph";
import type { TPipelineGraph } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import { ident, join, sql, type Sql } from "@/nodes/sql";
import { query, relationExists, transaction } from "../db/query";
import aggregate, { groupKeyDigest } from "@/nodes/transform/aggregate";
import { nodeRelation } from "../engine/plan";
import { NotFoundError } from "../errors";
import { runnerOf } from "../engine/runners/registry";
import { loadUploadCatalog } from "../engine/uploads-catalog";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "pool" | "workspaceId">;

/** Where a record came from: the node, and for file sources the file and the record's position in it. */
export interface TLineageSource {
  nodeId: string;
  nodeType: string;
  file: string | null;
  uploadId: string | null;
  /** CSV and NDJSON: the physical line the record starts on. */
  line?: number;
  /** JSON array: the element's 0-based position; with `page`, the position in that page. */
  index?: number;
  /** APIs read page by page: the page the record came on. */
  page?: number;
  /** APIs: the request of that page (its URL, secrets masked). */
  request?: string;
}

/** `agg:<run>:<aggregate node>:<md5 of the group key>` (see transform.aggregate). */
const AGGREGATE_LINEAGE = /^agg:([0-9a-f-]{36}):([A-Za-z][A-Za-z0-9_-]*):([0-9a-f]{32})$/;
/** How many of a group's source records a lineage view lists. */
const FIRST_SOURCES = 10;

const SOURCE_LINEAGE = /^([0-9a-f-]{36}):([A-Za-z][A-Za-z0-9_-]*):([0-9]+):([0-9a-f]{8})$/;

export type TLineageStep =
  | { nodeId: string; nodeType: string; title: string; status: "passed"; record: Record<string, unknown> }
  | { nodeId: string; nodeType: string; title: string; status: "quarantined"; quarantineId: string; errors: unknown; record: unknown }
  | {
      nodeId: string;
      nodeType: string;
      title: string;
      status: "reingested";
      quarantineId: string;
      /** The violations it was quarantined for, the record as fixed, and every edit (before → after, who, when). */
      errors: unknown;
      record: unknown;
      history: unknown;
      reingestRunId: string;
    }
  | {
      nodeId: string;
      nodeType: string;
      title: string;
      status: "remembered";
      /** The record quarantine holds for this source record: it was fixed in an earlier run, and this run loaded the same fix. */
      quarantineId: string;
      errors: unknown;
      record: Record<string, unknown>;
    }
  | { nodeId: string; nodeType: string; title: string; status: "dropped" | "not-available"; note: string };

/** The quarantined record whose remembered fix loaded this run's record at this node, if one did (see engine/quarantine-memory). */
async function rememberedFixOf(pool: pg.Pool, runId: string, nodeId: string, lineageId: string) {
  const found = await pool.query<{ id: string; errors: unknown }>(
    `SELECT q.id::text, q.errors FROM quarantined_records AS q
      WHERE q.pipeline_id = (SELECT r.pipeline_id FROM runs AS r WHERE r.id = $1) AND q.node_id = $2 AND q.history @> $3::jsonb
      LIMIT 1`,
    [runId, nodeId, JSON.stringify([{ action: "rememberedFix", runId, lineageId, outcome: "passed" }])],
  );
  return found.rows[0];
}

/**
 * The row of `relation` with the lineage id; with `key` (columns of a unique index, and
 * the values the record had one step before) it is found by that index. Without
 * statistics on a fresh staging table the planner would scan it whole rather than use its
 * lineage index (see indexLineage): a point lookup turns sequential scans off.
 */
async function rowByLineage(
  pool: pg.Pool,
  relation: Sql,
  lineageId: string,
  key?: { columns: readonly string[]; values: Record<string, unknown> },
): Promise<Record<string, unknown> | null | undefined> {
  if (!(await relationExists(pool, relation))) return undefined;
  const byKey =
    key && key.columns.length > 0 && key.columns.every((c) => key.values[c] !== undefined && key.values[c] !== null)
      ? sql` AND (${join(key.columns.map((c) => sql`t.${ident(c)}`))}) =
            (SELECT ${join(key.columns.map((c) => sql`r.${ident(c)}`))} FROM jsonb_populate_record(NULL::${relation}, ${JSON.stringify(key.values)}::jsonb) AS r)`
      : sql``;
  const result = await transaction(pool, (client) => query(client, sql`SELECT to_jsonb(t) AS row FROM ${relation} AS t WHERE t.${ident(LINEAGE_COLUMN)} = ${lineageId}${byKey} LIMIT 1`), {
    readOnly: true,
    settings: { enable_seqscan: "off" },
  });
  return result.rows[0]?.row ?? null;
}

/**
 * The record after each node from `startNodeId` on: passed (with its values), quarantined
 * (with its errors), re-ingested (continuing in the re-ingest run), or dropped.
 */
async function stepsFrom(
  ctx: Ctx,
  checked: CheckedGraph,
  runId: string,
  lineageId: string,
  startNodeId: string,
  startStep: (base: { nodeId: string; nodeType: string; title: string }) => TLineageStep,
): Promise<TLineageStep[]> {
  // Nodes downstream of the start, in run order.
  const reachable = new Set([startNodeId]);
  for (const n of checked.nodes) if (Object.values(n.inputs).some((i) => reachable.has(i))) reachable.add(n.node.id);
  const steps: TLineageStep[] = [];
  let stopped = false;
  let dataRunId = runId;
  /** The record's values after the last step it passed. */
  let previous: Record<string, unknown> | undefined;
  for (const n of checked.nodes.filter((c) => reachable.has(c.node.id))) {
    const base = { nodeId: n.node.id, nodeType: n.definition.type, title: n.node.label ?? n.definition.ui.title };
    if (stopped) break;
    if (n.node.id === startNodeId) {
      steps.push(startStep(base));
      continue;
    }
    const quarantined = await ctx.prisma.quarantinedRecord.findFirst({
      where: { runId, nodeId: n.node.id, lineageId },
      select: { id: true, errors: true, record: true, status: true, history: true, reingestRunId: true },
    });
    if (quarantined?.status === "reingested" && quarantined.reingestRunId) {
      steps.push({
        ...base,
        status: "reingested",
        quarantineId: quarantined.id.toString(),
        errors: quarantined.errors,
        record: quarantined.record,
        history: quarantined.history,
        reingestRunId: quarantined.reingestRunId,
      });
      // From here on the record travelled in the re-ingest run.
      dataRunId = quarantined.reingestRunId;
      continue;
    }
    if (quarantined) {
      steps.push({ ...base, status: "quarantined", quarantineId: quarantined.id.toString(), errors: quarantined.errors, record: quarantined.record });
      stopped = true;
      continue;
    }
    const loaded = runnerOf(n.definition.type, "destination")?.loadedRow(n.node.config, previous);
    const row = await rowByLineage(ctx.pool, loaded?.relation ?? nodeRelation(dataRunId, n.node.id), lineageId, loaded?.key);
    if (row === undefined) {
      steps.push({ ...base, status: "not-available", note: "this node's output is no longer kept (retention) or was never written" });
    } else if (row === null) {
      steps.push({
        ...base,
        status: "dropped",
        note:
          n.definition.execution.kind === "destination"
            ? "not in the table now: a later run replaced this row, or it was never loaded"
            : "the record did not pass this node (filtered out, deduplicated, or joined away)",
      });
      if (n.definition.execution.kind !== "destination") stopped = true;
    } else {
      delete row[LINEAGE_COLUMN];
      const owner = n.definition.execution.kind === "validate" ? await rememberedFixOf(ctx.pool, dataRunId, n.node.id, lineageId) : undefined;
      steps.push(owner ? { ...base, status: "remembered", quarantineId: owner.id, errors: owner.errors, record: row } : { ...base, status: "passed", record: row });
      previous = row;
    }
  }
  return steps;
}

/**
 * Where a record came from and what became of it: the source file and line, the raw
 * record read back from the file, and the record after each node on its path.
 */
export async function getLineage(ctx: Ctx, lineageId: string) {
  const aggregated = AGGREGATE_LINEAGE.exec(lineageId);
  if (aggregated) return getAggregateLineage(ctx, lineageId, aggregated[1] ?? "", aggregated[2] ?? "", aggregated[3] ?? "");
  const match = SOURCE_LINEAGE.exec(lineageId);
  if (!match) throw new NotFoundError("Lineage record", lineageId);
  const [, runId = "", sourceNodeId = "", ordinalText = "", hash = ""] = match;
  const run = await ctx.prisma.run.findFirst({
    where: { id: runId, workspaceId: ctx.workspaceId },
    select: { id: true, pipelineId: true, status: true, version: { select: { number: true, graph: true } } },
  });
  if (!run) throw new NotFoundError("Lineage record", lineageId);
  const graph = run.version.graph as TPipelineGraph;
  const upload = await loadUploadCatalog(ctx.prisma, ctx.workspaceId, graph);
  const checked = checkGraph(graph, { registry, upload });
  const sourceNode = checked.nodes.find((n) => n.node.id === sourceNodeId);
  if (!sourceNode) throw new NotFoundError("Lineage record", lineageId);
  const ordinal = Number(ordinalText);

  const runner = runnerOf(sourceNode.definition.type, "source");
  if (!runner) throw new NotFoundError("Lineage record", lineageId);
  const source = await runner.readRecord({
    config: sourceNode.node.config,
    workspaceId: ctx.workspaceId,
    pool: ctx.pool,
    runId,
    nodeId: sourceNodeId,
    lineageId,
    ordinal,
    upload,
  });
  const raw = source.record;

  const steps = await stepsFrom(ctx, checked, runId, lineageId, sourceNodeId, (base) =>
    raw ? { ...base, status: "passed", record: raw.fields } : { ...base, status: "not-available", note: "the uploaded file is gone" },
  );

  return {
    lineageId,
    run: { id: run.id, pipelineId: run.pipelineId, version: run.version.number, status: run.status },
    source: { nodeId: sourceNodeId, nodeType: sourceNode.definition.type, ...source.where },
    hash,
    record: raw?.fields ?? null,
    raw: raw?.raw ?? null,
    steps,
  };
}

/**
 * Lineage of a row an aggregate made: its group, how many source records formed it and
 * the first of them (each with its own lineage id), then what became of the row.
 */
async function getAggregateLineage(ctx: Ctx, lineageId: string, runId: string, nodeId: string, digest: string) {
  const run = await ctx.prisma.run.findFirst({
    where: { id: runId, workspaceId: ctx.workspaceId },
    select: { id: true, pipelineId: true, status: true, version: { select: { number: true, graph: true } } },
  });
  if (!run) throw new NotFoundError("Lineage record", lineageId);
  const graph = run.version.graph as TPipelineGraph;
  const checked = checkGraph(graph, { registry, upload: await loadUploadCatalog(ctx.prisma, ctx.workspaceId, graph) });
  const node = checked.nodes.find((n) => n.node.id === nodeId && n.definition.type === aggregate.type);
  const upstreamId = node?.inputs.in;
  if (!node || !upstreamId) throw new NotFoundError("Lineage record", lineageId);
  const { groupBy } = aggregate.config.parse(node.node.config);
  const typeOf = new Map((checked.nodes.find((n) => n.node.id === upstreamId)?.output ?? []).map((c) => [c.name, c.type]));
  const input = nodeRelation(runId, upstreamId);
  const inGroup = sql`${groupKeyDigest(groupBy.map((name) => ({ value: sql`t.${ident(name)}`, type: typeOf.get(name) ?? "string" })))} = ${digest}`;
  const sources = (await relationExists(ctx.pool, input))
    ? await query<{ lineage_id: string; record: Record<string, unknown>; total: string }>(
        ctx.pool,
        sql`SELECT t.${ident(LINEAGE_COLUMN)} AS lineage_id, to_jsonb(t) - ${LINEAGE_COLUMN}::text AS record, count(*) OVER () AS total
          FROM ${input} AS t WHERE ${inGroup}
          ORDER BY length(t.${ident(LINEAGE_COLUMN)}), t.${ident(LINEAGE_COLUMN)} COLLATE "C" LIMIT ${FIRST_SOURCES}`,
      )
    : null;
  const source: TLineageSource = { nodeId, nodeType: node.definition.type, file: null, uploadId: null };
  const group = await rowByLineage(ctx.pool, nodeRelation(runId, nodeId), lineageId);
  if (group) delete group[LINEAGE_COLUMN];
  const steps = await stepsFrom(ctx, checked, runId, lineageId, nodeId, (base) =>
    group ? { ...base, status: "passed", record: group } : { ...base, status: "not-available", note: "the aggregate's output is no longer kept (retention)" },
  );
  return {
    lineageId,
    run: { id: run.id, pipelineId: run.pipelineId, version: run.version.number, status: run.status },
    source,
    hash: digest,
    record: group ?? null,
    raw: null,
    aggregate: {
      groupBy,
      /** Source records in the group; null when the run's data is no longer kept. */
      count: sources ? Number(sources.rows[0]?.total ?? 0) : null,
      sources: (sources?.rows ?? []).map((r) => ({ lineageId: r.lineage_id, record: r.record })),
    },
    steps,
  };
}
