import type { PrismaClient, QuarantineStatus } from "@/generated/prisma/client";
import { NotFoundError } from "./pipelines";

interface Ctx {
  prisma: PrismaClient;
  workspaceId: string;
}

/** A quarantined record's fields, as text (null for an empty field), keyed by column name. */
export type TQuarantineRecord = Record<string, string | null>;

/** One entry of a record's history. */
export interface TQuarantineHistoryEntry {
  at: string;
  by: string;
  action: "edit" | "reingest" | "discard";
  before?: unknown;
  after?: unknown;
}

/** The record is in a state the action does not apply to (e.g. editing a re-ingested record). */
export class QuarantineConflictError extends Error {}

const FIELDS = { id: true, nodeId: true, lineageId: true, record: true, errors: true, status: true, history: true, createdAt: true, updatedAt: true } as const;

export interface ListQuarantineInput {
  runId: string;
  limit: number;
  /** The `nextCursor` of the previous page: the last id it held. */
  cursor?: bigint;
  status?: QuarantineStatus;
}

/** A run's quarantined records in the order they were rejected, keyset-paginated on id. */
export async function listQuarantine(ctx: Ctx, input: ListQuarantineInput) {
  const run = await ctx.prisma.run.findFirst({ where: { id: input.runId, workspaceId: ctx.workspaceId }, select: { id: true } });
  if (!run) throw new NotFoundError("Run", input.runId);
  const rows = await ctx.prisma.quarantinedRecord.findMany({
    where: { runId: input.runId, workspaceId: ctx.workspaceId, ...(input.status ? { status: input.status } : {}), ...(input.cursor !== undefined ? { id: { gt: input.cursor } } : {}) },
    orderBy: { id: "asc" },
    take: input.limit + 1,
    select: FIELDS,
  });
  const page = rows.slice(0, input.limit);
  return { records: page, nextCursor: rows.length > input.limit ? page.at(-1)?.id.toString() : undefined };
}

export async function getQuarantinedRecord(ctx: Ctx, id: bigint) {
  const row = await ctx.prisma.quarantinedRecord.findFirst({ where: { id, workspaceId: ctx.workspaceId }, select: { ...FIELDS, runId: true } });
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
  const after = JSON.stringify(record);
  const at = new Date().toISOString();
  const updated = await ctx.prisma.$queryRaw<{ id: bigint }[]>`
    UPDATE quarantined_records
       SET history = history || jsonb_build_array(jsonb_build_object(
             'at', ${at}::text, 'by', ${ctx.actor}::text, 'action', 'edit', 'before', record, 'after', ${after}::jsonb)),
           record = ${after}::jsonb,
           status = 'fixed',
           updated_at = now()
     WHERE id = ${id} AND workspace_id = ${ctx.workspaceId}::uuid AND status IN ('open', 'fixed')
     RETURNING id`;
  if (updated.length === 0) {
    const existing = await getQuarantinedRecord(ctx, id);
    throw new QuarantineConflictError(`Quarantined record ${id} is ${existing.status} and can no longer be edited`);
  }
  return getQuarantinedRecord(ctx, id);
}
