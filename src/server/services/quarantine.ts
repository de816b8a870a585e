import type { Readable } from "node:stream";
import { recordAudit, type AuditCtx } from "../audit/record";
import { streamQueryCsv } from "../export/csv";
import { z } from "zod";
import type { QuarantineStatus } from "@/generated/prisma/client";
import { QuarantineStatus as QUARANTINE_STATUS } from "@/generated/prisma/enums";
import type { Column } from "@/nodes/contract";
import { compileExpression, formatExpressionErrors } from "@/nodes/expression/expression";
import { fromText, raisedErrorMessage, toText } from "@/nodes/expression/conversions";
import { checkGraph } from "@/nodes/graph";
import { registry } from "@/nodes/registry";
import { ident, join, sql, type Sql } from "@/nodes/sql";
import { effectiveType, type TValidateConfig } from "@/nodes/validate/config";
import { query } from "../db/query";
import { BulkFixError, NotFoundError, QuarantineConflictError } from "../errors";
import { runnerOf } from "../engine/runners/registry";
import { loadUploadCatalog } from "../engine/uploads-catalog";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "prisma" | "workspaceId">;

type PoolCtx = Ctx & Pick<TRequestContext, "pool">;

type ActorCtx = PoolCtx & Pick<TRequestContext, "actor">;

/** A quarantined record's fields, as text (null for an empty field), keyed by column name. */
export type TQuarantineRecord = Record<string, string | null>;

/** One entry of a record's history. */
export interface TQuarantineHistoryEntry {
  at: string;
  by: string;
  action: "edit" | "reingest" | "discard";
  before?: unknown;
  after?: unknown;
  /** For bulk edits: what was applied, e.g. `aqi = aqi / 10`. */
  fix?: string;
  /** For discards: why, in the words of the person who discarded. */
  reason?: string;
  /** For re-ingests: the re-ingest run. */
  runId?: string;
  /** For re-ingests: what became of the record (see TReingestOutcome in engine/reingest.ts). */
  outcome?: "passed" | "failed" | "runFailed" | "runCanceled";
}

const FIELDS = { id: true, nodeId: true, lineageId: true, record: true, errors: true, status: true, history: true, createdAt: true, updatedAt: true } as const;

export interface ListQuarantineInput {
  runId: string;
  limit: number;
  /** The `nextCursor` of the previous page: the last id it held. */
  cursor?: bigint;
  status?: QuarantineStatus;
}

/**
 * A run's quarantined records in the order they were rejected, keyset-paginated on id: those it
 * rejected first and those it met again (a rerun's known rejects stay one record each).
 */
export async function listQuarantine(ctx: Ctx, input: ListQuarantineInput) {
  const run = await ctx.prisma.run.findFirst({ where: { id: input.runId, workspaceId: ctx.workspaceId }, select: { id: true } });
  if (!run) throw new NotFoundError("Run", input.runId);
  const rows = await ctx.prisma.quarantinedRecord.findMany({
    where: { OR: [{ runId: input.runId }, { lastSeenRunId: input.runId }], workspaceId: ctx.workspaceId, ...(input.status ? { status: input.status } : {}), ...(input.cursor !== undefined ? { id: { gt: input.cursor } } : {}) },
    orderBy: { id: "asc" },
    take: input.limit + 1,
    select: FIELDS,
  });
  const page = rows.slice(0, input.limit);
  return { records: page, nextCursor: rows.length > input.limit ? page.at(-1)?.id.toString() : undefined };
}

export async function getQuarantinedRecord(ctx: Ctx, id: bigint) {
  const row = await ctx.prisma.quarantinedRecord.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: { ...FIELDS, runId: true, reingestRunId: true } });
  if (!row) throw new NotFoundError("Quarantined record", id.toString());
  return row;
}

/**
 * Replaces a record's fields with a corrected version, keeping the previous version in
 * its history, and marks it fixed (ready to re-ingest). One statement, so concurrent
 * edits each land in the history in the order they were applied. Only open and fixed
 * records can be edited: re-ingested and discarded ones are settled.
 */
export async function editQuarantinedRecord(ctx: Ctx & { actor: string }, id: bigint, record: TQuarantineRecord) {
  const entry: Omit<TQuarantineHistoryEntry, "before"> = { at: new Date().toISOString(), by: ctx.actor, action: "edit", after: record };
  // `before` is whatever the row holds at the moment of the update, taken inside the statement.
  const updated = await ctx.prisma.$queryRaw<{ id: bigint }[]>`
    UPDATE quarantined_records
       SET history = history || jsonb_build_array(${JSON.stringify(entry)}::jsonb || jsonb_build_object('before', record)),
           record = ${JSON.stringify(record)}::jsonb,
           status = 'fixed',
           updated_at = now()
     WHERE id = ${id} AND workspace_id = ${ctx.workspaceId}::uuid AND status IN ('open', 'fixed')
     RETURNING id`;
  if (updated.length === 0) {
    const existing = await getQuarantinedRecord(ctx, id);
    throw new QuarantineConflictError(`Quarantined record ${id} is ${existing.status} and can no longer be edited`);
  }
  await recordAudit(ctx, { action: "quarantine.edited", target: String(id) });
  return getQuarantinedRecord(ctx, id);
}

// ─── The review screen: filters, pages, counts, groups ──────────────────────────────────────

/** Which quarantined records a screen, a bulk action or an export is about. Every key narrows. */
export const ZQuarantineFilter = z.object({
  pipelineId: z.uuid().optional(),
  runId: z.uuid().optional(),
  /** The node that rejected the record (a validate node, or a source for unreadable lines). */
  nodeId: z.string().min(1).max(200).optional(),
  /** Records with at least one violation of this rule (with `field`: of this rule on this field). */
  rule: z.string().min(1).max(100).optional(),
  /** Records with at least one violation on this field. */
  field: z.string().min(1).max(200).optional(),
  /** One status, or "review": the records still waiting for a person (open or fixed). */
  status: z.enum([...Object.values(QUARANTINE_STATUS), "review"]).optional(),
  /** Quarantined at or after this instant. */
  from: z.date().optional(),
  /** Quarantined before this instant. */
  to: z.date().optional(),
});
export type TQuarantineFilter = z.infer<typeof ZQuarantineFilter>;

/**
 * A record id as the browser sends it: decimal text, since query keys are hashed as JSON
 * and JSON has no BigInt.
 */
export const ZQuarantineId = z
  .string()
  .regex(/^[1-9][0-9]{0,18}$/, "a quarantined record id is a positive whole number")
  .transform((text) => BigInt(text));

/** Records to act on: picked one by one, or everything a filter matches. */
export const ZQuarantineTarget = z.union([
  z.object({ ids: z.array(ZQuarantineId).min(1).max(10_000) }),
  z.object({ filter: ZQuarantineFilter }),
]);
export type TQuarantineTarget = z.infer<typeof ZQuarantineTarget>;

const Q = sql`quarantined_records AS q`;

function filterSql(ctx: Ctx, filter: TQuarantineFilter): Sql {
  const parts: Sql[] = [sql`q.workspace_id = ${ctx.workspaceId}::uuid`];
  if (filter.runId) parts.push(sql`(q.run_id = ${filter.runId}::uuid OR q.last_seen_run_id = ${filter.runId}::uuid)`);
  if (filter.pipelineId) {
    parts.push(sql`q.run_id IN (SELECT r.id FROM runs AS r WHERE r.pipeline_id = ${filter.pipelineId}::uuid AND r.workspace_id = ${ctx.workspaceId}::uuid)`);
  }
  if (filter.nodeId) parts.push(sql`q.node_id = ${filter.nodeId}`);
  if (filter.status === "review") parts.push(sql`q.status IN ('open', 'fixed')`);
  else if (filter.status) parts.push(sql`q.status = ${filter.status}::"QuarantineStatus"`);
  if (filter.rule || filter.field) {
    // Containment keeps field and rule on the same violation: {"field":"aqi","rule":"max"}.
    const violation = { ...(filter.field ? { field: filter.field } : {}), ...(filter.rule ? { rule: filter.rule } : {}) };
    parts.push(sql`q.errors @> ${JSON.stringify([violation])}::jsonb`);
  }
  if (filter.from) parts.push(sql`q.created_at >= ${filter.from}`);
  if (filter.to) parts.push(sql`q.created_at < ${filter.to}`);
  return join(parts, " AND ");
}

export function targetSql(ctx: Ctx, target: TQuarantineTarget): Sql {
  if ("ids" in target) {
    return sql`q.workspace_id = ${ctx.workspaceId}::uuid AND q.id = ANY(${target.ids.map(String)}::bigint[])`;
  }
  return filterSql(ctx, target.filter);
}

/** The states in which a record can still be changed; re-ingested and discarded records are settled. */
const CHANGEABLE = sql`q.status IN ('open', 'fixed')`;

export interface TQuarantineRow {
  id: string;
  runId: string;
  nodeId: string;
  lineageId: string;
  record: TQuarantineRecord;
  errors: TViolation[];
  status: QuarantineStatus;
  historyCount: number;
  reingestRunId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TViolation {
  field: string;
  rule: string;
  value: string | null;
  message: string;
}

export const ZQuarantineSearch = z.object({
  filter: ZQuarantineFilter.default({}),
  /** Oldest first (the order records were rejected in) or newest first. */
  order: z.enum(["asc", "desc"]).default("asc"),
  /** The `nextCursor` of the previous page. */
  cursor: z.bigint().optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
export type TQuarantineSearch = z.input<typeof ZQuarantineSearch>;

/**
 * One page of quarantined records matching a filter, keyset-paginated on id so the
 * thousandth page costs what the first does. History is counted, not sent: it can be long.
 */
export async function searchQuarantine(ctx: PoolCtx, input: TQuarantineSearch) {
  const { filter, order, cursor, limit } = ZQuarantineSearch.parse(input);
  const after = cursor === undefined ? sql`TRUE` : order === "asc" ? sql`q.id > ${String(cursor)}::bigint` : sql`q.id < ${String(cursor)}::bigint`;
  const direction = order === "asc" ? sql`ASC` : sql`DESC`;
  const result = await query<TQuarantineRow>(
    ctx.pool,
    sql`
      SELECT q.id::text AS "id", q.run_id::text AS "runId", q.node_id AS "nodeId", q.lineage_id AS "lineageId",
             q.record, q.errors, q.status::text AS status, jsonb_array_length(q.history) AS "historyCount",
             q.reingest_run_id::text AS "reingestRunId", q.created_at AS "createdAt", q.updated_at AS "updatedAt"
        FROM ${Q}
       WHERE ${filterSql(ctx, filter)} AND ${after}
       ORDER BY q.id ${direction}
       LIMIT ${limit + 1}`,
  );
  const records = result.rows.slice(0, limit);
  return { records, nextCursor: result.rows.length > limit ? BigInt(records.at(-1)?.id ?? "0") : undefined };
}

/** Counting stops here: past it the screen says "more than 1,000,000" instead of scanning on. */
export const COUNT_CAP = 1_000_000;

/**
 * How many records match. Exact up to {@link COUNT_CAP}; the capped subquery lets PostgreSQL
 * stop early on huge workspaces, and a run-scoped count walks the (run_id, id) and (last_seen_run_id, id) indexes only.
 */
export async function countQuarantine(ctx: PoolCtx, filter: TQuarantineFilter) {
  const result = await query<{ count: string }>(
    ctx.pool,
    sql`SELECT count(*) AS count FROM (SELECT 1 FROM ${Q} WHERE ${filterSql(ctx, filter)} LIMIT ${COUNT_CAP + 1}) AS capped`,
  );
  const count = Number(result.rows[0]?.count ?? 0);
  return { count: Math.min(count, COUNT_CAP), capped: count > COUNT_CAP };
}

export interface TErrorGroup {
  field: string;
  rule: string;
  records: number;
  /** One message of the group, e.g. "aqi: 612 is above the maximum 500". */
  example: string;
}

/**
 * Violations grouped by field and rule, largest first, counted in SQL. A record breaks a
 * given rule of a given field at most once, so violations counted are records counted.
 */
export async function quarantineErrorGroups(ctx: PoolCtx, filter: TQuarantineFilter, limit = 50): Promise<TErrorGroup[]> {
  const result = await query<{ field: string; rule: string; records: string; example: string }>(
    ctx.pool,
    sql`
      SELECT e ->> 'field' AS field, e ->> 'rule' AS rule, count(*) AS records, min(e ->> 'message') AS example
        FROM ${Q} CROSS JOIN LATERAL jsonb_array_elements(q.errors) AS e
       WHERE ${filterSql(ctx, filter)}
       GROUP BY 1, 2
       ORDER BY count(*) DESC, 1, 2
       LIMIT ${limit}`,
  );
  return result.rows.map((r) => ({ field: r.field, rule: r.rule, records: Number(r.records), example: r.example }));
}

/** Which pipelines, runs and nodes have quarantined records: the choices of the filter bar. */
export async function quarantineFacets(ctx: PoolCtx, filter: Pick<TQuarantineFilter, "pipelineId" | "runId">) {
  const runs = await ctx.prisma.run.findMany({
    where: {
      workspaceId: ctx.workspaceId,
      ...(filter.pipelineId ? { pipelineId: filter.pipelineId } : {}),
      nodeRuns: { some: { rowsRejected: { gt: 0 } } },
    },
    orderBy: { createdAt: "desc" },
    take: 100,
    select: { id: true, createdAt: true, status: true, pipeline: { select: { id: true, name: true } }, nodeRuns: { where: { rowsRejected: { gt: 0 } }, select: { nodeId: true } } },
  });
  const pipelines = await ctx.prisma.pipeline.findMany({ where: { workspaceId: ctx.workspaceId }, orderBy: { name: "asc" }, select: { id: true, name: true } });
  const scoped = filter.runId ? runs.filter((r) => r.id === filter.runId) : runs;
  return {
    pipelines,
    runs: runs.map((r) => ({ id: r.id, createdAt: r.createdAt, status: r.status, pipelineName: r.pipeline.name })),
    nodes: [...new Set(scoped.flatMap((r) => r.nodeRuns.map((n) => n.nodeId)))].sort(),
  };
}

/** A record with its full history, the run it came from, and the run that re-ingested it. */
export async function getQuarantineDetail(ctx: Ctx, id: bigint) {
  const row = await getQuarantinedRecord(ctx, id);
  return {
    ...row,
    id: row.id.toString(),
    record: row.record as TQuarantineRecord,
    errors: row.errors as unknown as TViolation[],
    history: row.history as unknown as TQuarantineHistoryEntry[],
  };
}

// ─── Rules: what the browser re-validates an edited record against ──────────────────────────

interface NodeContext {
  /** The columns arriving at the node that quarantined the records, as the engine typed them (what `validateRecord` needs). */
  columns: Column[];
  /** That node's validate config, when it is a validate node. */
  config: TValidateConfig | null;
}

async function nodeContext(ctx: Ctx, versionId: string, nodeId: string): Promise<NodeContext> {
  const version = await ctx.prisma.pipelineVersion.findFirst({ where: { id: versionId, workspaceId: ctx.workspaceId }, select: { graph: true } });
  if (!version) throw new NotFoundError("Pipeline version", versionId);
  const upload = await loadUploadCatalog(ctx.prisma, ctx.workspaceId, version.graph);
  const checked = checkGraph(version.graph, { registry, upload });
  const node = checked.nodes.find((n) => n.node.id === nodeId);
  if (!node) throw new NotFoundError("Node", nodeId);
  const upstream = node.inputs.in ? checked.nodes.find((n) => n.node.id === node.inputs.in) : undefined;
  const columns = node.definition.execution.kind === "source" ? node.output : upstream?.output;
  const config = runnerOf(node.definition.type, "validate")?.rules(node.node.config) ?? null;
  return { columns: columns ?? [], config };
}

/**
 * The rules and input columns of the node that quarantined a run's records, from the
 * run's pinned version: the browser runs `validateRecord` with them while a person edits.
 */
export async function quarantineRules(ctx: Ctx, runId: string, nodeId: string) {
  const run = await ctx.prisma.run.findFirst({ where: { id: runId, workspaceId: ctx.workspaceId }, select: { versionId: true } });
  if (!run) throw new NotFoundError("Run", runId);
  return nodeContext(ctx, run.versionId, nodeId);
}

// ─── Bulk fix ────────────────────────────────────────────────────────────────────────────

const ZFieldName = z.string().min(1).max(63);

/** What a bulk fix does to one field of every targeted record. */
export const ZBulkFix = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("value"), field: ZFieldName, value: z.string().max(100_000) }),
  z.object({ kind: z.literal("null"), field: ZFieldName }),
  z.object({ kind: z.literal("expression"), field: ZFieldName, expression: z.string().min(1).max(4096) }),
]);
export type TBulkFix = z.infer<typeof ZBulkFix>;

/** How a fix reads in history and confirmations: `aqi = NULL`, `aqi = '500'`, `aqi = aqi / 10`. */
export function describeFix(fix: TBulkFix): string {
  if (fix.kind === "null") return `${fix.field} = NULL`;
  if (fix.kind === "value") return `${fix.field} = ${JSON.stringify(fix.value)}`;
  return `${fix.field} = ${fix.expression}`;
}

/**
 * The new text value of the fixed field for each targeted record, as SQL over `q`. An
 * expression sees a field typed as its rule reads it, or as it arrived at the node when no
 * rule names it or some targeted record breaks its type rule. Only the fields it reads are converted, so an unreadable value elsewhere
 * in the record does no harm; an unreadable value it reads fails the whole fix, named.
 */
async function fixValueSql(ctx: PoolCtx, where: Sql, fix: TBulkFix): Promise<Sql> {
  const sources = await query<{ versionId: string; nodeId: string }>(
    ctx.pool,
    sql`SELECT DISTINCT r.version_id::text AS "versionId", q.node_id AS "nodeId" FROM ${Q} JOIN runs AS r ON r.id = q.run_id WHERE ${where} AND ${CHANGEABLE}`,
  );
  const contexts = await Promise.all(sources.rows.map((s) => nodeContext(ctx, s.versionId, s.nodeId)));
  for (const context of contexts) {
    if (context.columns.length > 0 && !context.columns.some((c) => c.name === fix.field)) {
      throw new BulkFixError(`The records have no field "${fix.field}" (they have: ${context.columns.map((c) => c.name).join(", ")})`);
    }
  }
  if (fix.kind === "null") return sql`CAST(NULL AS text)`;
  if (fix.kind === "value") return sql`CAST(${fix.value} AS text)`;
  const [first, ...others] = contexts;
  if (!first) return sql`CAST(NULL AS text)`;
  const signature = (c: NodeContext) => JSON.stringify([c.columns, c.config?.rules.map((r) => [r.field, r.type])]);
  if (others.some((c) => signature(c) !== signature(first))) {
    throw new BulkFixError(
      "These records reached their validate nodes with different columns, so one expression cannot be read the same way for all of them. Narrow the selection to one run or one node first.",
    );
  }
  // A fix aims at passing the rules, so a field reads as its rule's type (aqi as an integer even
  // when the file's column was text): `least(aqi, 500)` works as a person means it. Unless
  // some targeted record breaks that field's type rule: then it reads as it arrived, so
  // `CASE WHEN aqi = 'n/a' THEN NULL ELSE aqi END` can repair it.
  const mistyped = await query<{ field: string }>(
    ctx.pool,
    sql`SELECT DISTINCT e ->> 'field' AS field FROM ${Q} CROSS JOIN LATERAL jsonb_array_elements(q.errors) AS e
                WHERE ${where} AND ${CHANGEABLE} AND e ->> 'rule' = 'type'`,
  );
  const unreadable = new Set(mistyped.rows.map((r) => r.field));
  const ruled = new Map(first.config?.rules.map((rule) => [rule.field, rule]) ?? []);
  const columns = first.columns.map((c) => {
    const rule = ruled.get(c.name);
    return rule && !unreadable.has(c.name) ? { name: c.name, type: effectiveType(rule, c.type) } : c;
  });
  const compiled = compileExpression(fix.expression, columns);
  if (!compiled.ok) throw new BulkFixError(`The expression has problems:\n${formatExpressionErrors(compiled.errors)}`);
  const typed = compiled.columnsUsed.map((name) => {
    const type = columns.find((c) => c.name === name)?.type ?? "string";
    return sql`${fromText(sql`(q.record ->> ${name})`, type, name)} AS ${ident(name)}`;
  });
  // The expression is written over bare column names: a derived table gives it exactly those.
  return sql`(SELECT ${toText(compiled.sql, compiled.type)} FROM (SELECT ${typed.length > 0 ? join(typed) : sql`1 AS ${ident("_sluice_none")}`}) AS t)`;
}

async function withFixErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? raisedErrorMessage(error.message) : null;
    if (message !== null) {
      throw new BulkFixError(
        `The expression cannot be computed for every selected record: ${message}. Narrow the selection (e.g. to one error group) or make the expression handle that value.`,
      );
    }
    throw error;
  }
}

export interface TBulkFixPreview {
  /** Records the fix would change (open or fixed ones matching the target). */
  records: number;
  sample: { id: string; field: string; before: string | null; after: string | null; record: TQuarantineRecord }[];
}

/** What a bulk fix would do: how many records it touches, and before → after for the first few. */
export async function previewBulkFix(ctx: PoolCtx, target: TQuarantineTarget, fix: TBulkFix, sampleSize = 20): Promise<TBulkFixPreview> {
  const where = targetSql(ctx, target);
  const value = await fixValueSql(ctx, where, fix);
  return withFixErrors(async () => {
    const sample = await query<{ id: string; before: string | null; after: string | null; record: TQuarantineRecord }>(
      ctx.pool,
      sql`
        SELECT id, before, after, record || jsonb_build_object(${fix.field}::text, after) AS record
          FROM (SELECT q.id::text AS id, q.record ->> ${fix.field} AS before, ${value} AS after, q.record
                  FROM ${Q} WHERE ${where} AND ${CHANGEABLE} ORDER BY q.id LIMIT ${sampleSize}) AS s`,
    );
    const count = await query<{ count: string }>(ctx.pool, sql`SELECT count(*) AS count FROM ${Q} WHERE ${where} AND ${CHANGEABLE}`);
    return { records: Number(count.rows[0]?.count ?? 0), sample: sample.rows.map((r) => ({ ...r, field: fix.field })) };
  });
}

/**
 * Applies a bulk fix in one set-based UPDATE: each record gets the new value, status
 * fixed, and a history entry with before → after, who and when, in the same statement.
 */
export async function applyBulkFix(ctx: ActorCtx, target: TQuarantineTarget, fix: TBulkFix): Promise<{ records: number }> {
  const where = targetSql(ctx, target);
  const value = await fixValueSql(ctx, where, fix);
  const entry = { at: new Date().toISOString(), by: ctx.actor, action: "edit", fix: describeFix(fix) };
  const applied = await withFixErrors(async () => {
    const result = await query<{ count: string }>(
      ctx.pool,
      sql`
        WITH fixed AS (
          SELECT q.id, q.record || jsonb_build_object(${fix.field}::text, ${value}) AS after
            FROM ${Q} WHERE ${where} AND ${CHANGEABLE}
        ), updated AS (
          UPDATE quarantined_records AS u
             SET history = u.history || jsonb_build_array(${JSON.stringify(entry)}::jsonb || jsonb_build_object('before', u.record, 'after', f.after)),
                 record = f.after,
                 status = 'fixed',
                 updated_at = now()
            FROM fixed AS f
           WHERE u.id = f.id
          RETURNING 1)
        SELECT count(*) AS count FROM updated`,
    );
    return { records: Number(result.rows[0]?.count ?? 0) };
  });
  await recordAudit(ctx, { action: "quarantine.bulk-fixed", details: { records: applied.records, fix: entry.fix, target: toJsonSafe(target) } });
  return applied;
}

// ─── Discard ─────────────────────────────────────────────────────────────────────────────

/** Sets records aside for good, with the reason in each record's history. Open and fixed records only. */
export async function discardQuarantined(ctx: ActorCtx, target: TQuarantineTarget, reason: string): Promise<{ records: number }> {
  const trimmed = reason.trim();
  if (trimmed === "") throw new BulkFixError("Say why these records are discarded: the reason is kept in each record's history.");
  const entry = { at: new Date().toISOString(), by: ctx.actor, action: "discard", reason: trimmed };
  const result = await query<{ count: string }>(
    ctx.pool,
    sql`
      WITH updated AS (
        UPDATE quarantined_records AS q
           SET history = q.history || jsonb_build_array(${JSON.stringify(entry)}::jsonb || jsonb_build_object('before', q.status)),
               status = 'discarded',
               updated_at = now()
         WHERE ${targetSql(ctx, target)} AND ${CHANGEABLE}
        RETURNING 1)
      SELECT count(*) AS count FROM updated`,
  );
  const records = Number(result.rows[0]?.count ?? 0);
  await recordAudit(ctx, { action: "quarantine.discarded", details: { records, reason: trimmed, target: toJsonSafe(target) } });
  return { records };
}

// ─── Export ──────────────────────────────────────────────────────────────────────────────

const EXPORT_COLUMNS = ["_sluice_quarantine_id", "_sluice_run_id", "_sluice_node_id", "_sluice_lineage_id", "_sluice_status", "_sluice_errors"];

/**
 * The filtered quarantine as CSV, streamed a batch at a time. Columns: the `_sluice_*` facts
 * of each record, then every field any matching record has. The caller must consume or
 * destroy the stream.
 */
export async function exportQuarantineCsv(ctx: ActorCtx & Pick<AuditCtx, "userId" | "address">, filter: TQuarantineFilter): Promise<Readable> {
  const where = filterSql(ctx, filter);
  const keys = await query<{ key: string }>(
    ctx.pool,
    sql`SELECT key FROM (SELECT DISTINCT jsonb_object_keys(q.record) AS key FROM ${Q} WHERE ${where}) AS k ORDER BY key`,
  );
  const fields = keys.rows.map((r) => sql`q.record ->> ${r.key}`);
  const messages = sql`(SELECT string_agg(e ->> 'message', '; ') FROM jsonb_array_elements(q.errors) AS e)`;
  const select = sql`
    SELECT q.id, q.run_id, q.node_id, q.lineage_id, q.status, ${messages}
           ${fields.length > 0 ? sql`, ${join(fields)}` : sql``}
      FROM ${Q} WHERE ${where} ORDER BY q.id`;
  await recordAudit(ctx, { action: "quarantine.exported", details: { filter } });
  return streamQueryCsv(ctx.pool, [...EXPORT_COLUMNS, ...keys.rows.map((r) => r.key)], select);
}

/** A target as the audit log keeps it (record ids are BigInts). */
function toJsonSafe(target: TQuarantineTarget): unknown {
  return JSON.parse(JSON.stringify(target, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value)));
}
