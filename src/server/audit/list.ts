import { z } from "zod";
import type { Prisma, PrismaClient } from "@/generated/prisma/client";
import { csvLine } from "../export/csv";
import type { TRequestContext } from "../context";

/** The audit log's filters and paging, shared by tRPC, REST and the CSV export. */
export const ZAuditQuery = z.object({
  action: z.string().max(100).optional().describe('Actions starting with this ("pipeline.", "sign-in")'),
  actor: z.string().max(200).optional().describe("Text in the actor's name or email"),
  from: z.coerce.date().optional().describe("Only events at or after this instant"),
  to: z.coerce.date().optional().describe("Only events before this instant"),
  before: z.string().regex(/^\d{1,19}$/, "a cursor is the nextCursor of the previous page").optional().describe("The previous page's nextCursor"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type TAuditQuery = z.input<typeof ZAuditQuery>;

/** This workspace's events, and the sign-ins (and failures) of its members, which belong to no workspace. */
async function scope(prisma: PrismaClient, workspaceId: string, query: z.output<typeof ZAuditQuery>): Promise<Prisma.AuditEventWhereInput> {
  const members = await prisma.membership.findMany({ where: { workspaceId }, select: { userId: true } });
  return {
    OR: [{ workspaceId }, { workspaceId: null, userId: { in: members.map((m) => m.userId) } }],
    ...(query.action ? { action: { startsWith: query.action } } : {}),
    ...(query.actor ? { actor: { contains: query.actor, mode: "insensitive" } } : {}),
    ...(query.from || query.to ? { at: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lt: query.to } : {}) } } : {}),
  };
}

const FIELDS = { id: true, at: true, actor: true, action: true, target: true, details: true, ipAddress: true } as const;

export interface TAuditEvent {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
  ipAddress: string | null;
}

/** One page, newest first; `nextCursor` (null on the last page) is the next page's `before`. */
export async function listAudit(ctx: Pick<TRequestContext, "prisma" | "workspaceId">, raw: TAuditQuery): Promise<{ events: TAuditEvent[]; nextCursor: string | null }> {
  const query = ZAuditQuery.parse(raw);
  return readPage(ctx.prisma, await scope(ctx.prisma, ctx.workspaceId, query), query.before, query.limit);
}

async function readPage(prisma: PrismaClient, where: Prisma.AuditEventWhereInput, before: string | undefined, limit: number) {
  const rows = await prisma.auditEvent.findMany({ where: before ? { AND: [where, { id: { lt: BigInt(before) } }] } : where, orderBy: { id: "desc" }, take: limit + 1, select: FIELDS });
  const events = rows.slice(0, limit).map((r) => ({ ...r, id: String(r.id) }));
  return { events, nextCursor: rows.length > limit ? (events.at(-1)?.id ?? null) : null };
}

const CSV_HEADER = ["id", "at", "actor", "action", "target", "details", "ip_address"];

/** Every event the filters match (paging ignored) as CSV lines, a page at a time so a long log is never held whole. */
export async function* auditCsv(ctx: Pick<TRequestContext, "prisma" | "workspaceId">, raw: TAuditQuery): AsyncGenerator<string> {
  yield csvLine(CSV_HEADER);
  // The members are looked up once for the whole export, not again for every page.
  const where = await scope(ctx.prisma, ctx.workspaceId, ZAuditQuery.parse(raw));
  let before: string | undefined;
  for (;;) {
    const page = await readPage(ctx.prisma, where, before, 500);
    if (page.events.length > 0) yield page.events.map((e) => csvLine([e.id, e.at, e.actor, e.action, e.target, e.details, e.ipAddress])).join("");
    if (!page.nextCursor) return;
    before = page.nextCursor;
  }
}

/** The CSV export as a download response. */
export function auditCsvResponse(ctx: Pick<TRequestContext, "prisma" | "workspaceId">, raw: TAuditQuery): Response {
  const lines = auditCsv(ctx, raw);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  const name = `audit-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(body, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store" } });
}
