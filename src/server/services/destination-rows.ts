/**
 * The rows a node that loads a table (`capabilities.loadsTable`) has loaded, read from
 * the destination table itself, a page at a time, for the editor's "Loaded rows" view:
 * each row with the run that wrote it and its lineage id (the way to the lineage page).
 *
 * Order: most recently written first, by physical position (ctid). Rows are appended
 * at the table's end and an upsert's new row version lands there too, so this is the
 * newest runs' rows first. A destination table has no index to page on, and sorting a
 * whole 1,000,000-row table for 50 rows takes ~0.35 s: a page scans only the last
 * blocks before its cursor instead (a TID range scan), widening the window until it
 * holds a page or reaches the table's start.
 *
 * Only rows this workspace's runs wrote are read (workspaces share the data database, and
 * a table name is no secret), and never a table pipelines may not use (db/protected-relations).
 */
import { z } from "zod";
import { LINEAGE_COLUMN, RUN_COLUMN } from "@/nodes/contract";
import { ident, identifierProblem, join, sql, type Sql } from "@/nodes/sql";
import { protectedRelationProblem } from "../db/protected-relations";
import { query, queryArrays, transaction } from "../db/query";
import type { TRequestContext } from "../context";

type Ctx = Pick<TRequestContext, "pool" | "prisma" | "workspaceId">;

export const DEFAULT_PAGE_ROWS = 50;
/** Values longer than this are cut (a jsonb column can hold megabytes per row); the UI marks the cut. */
export const MAX_VALUE_CHARS = 500;
const TIMEOUT_MS = 5000;
/** Blocks the first window scans; each further window is WIDEN times wider. */
const FIRST_WINDOW_BLOCKS = 16;
const WIDEN = 8;

const ZIdentifier = z.string().superRefine((name, ctx) => {
  const problem = identifierProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `not a usable name: ${problem}` });
});

/** A row's physical position, `(block,offset)`: where the next page continues. */
const ZCursor = z.string().regex(/^\(\d{1,10},\d{1,5}\)$/, "not a cursor this view returned");

export const ZDestinationRowsInput = z.object({
  schema: ZIdentifier.default("public"),
  table: ZIdentifier,
  /** The `nextCursor` of the previous page; none for the first page. */
  cursor: ZCursor.optional(),
  limit: z.number().int().min(1).max(500).default(DEFAULT_PAGE_ROWS),
});
export type TDestinationRowsInput = z.input<typeof ZDestinationRowsInput>;

export interface TDestinationColumn {
  name: string;
  /** PostgreSQL's name of the column's type (`bigint`, `text`…). */
  type: string;
}

export type TDestinationRows =
  /** The table does not exist: the destination has not loaded anything yet. */
  | { status: "missing"; table: string }
  /** The table exists but holds no row a run of this workspace loaded (or has no lineage columns). */
  | { status: "notLoaded"; table: string }
  | {
      status: "loaded";
      /** The quoted, schema-qualified name. */
      table: string;
      /** The table's columns, without the two lineage columns. */
      columns: TDestinationColumn[];
      /** Values as text (NULL as null), in `columns` order; cut at MAX_VALUE_CHARS (then ending in "…"). */
      rows: (string | null)[][];
      lineageIds: string[];
      runIds: string[];
      /** Rows in the table: counted for the first page only (null on later pages). */
      total: number | null;
      nextCursor: string | null;
    };

/** One page of the rows in a destination table, most recently written first. */
export async function listDestinationRows(ctx: Ctx, rawInput: TDestinationRowsInput): Promise<TDestinationRows> {
  const input = ZDestinationRowsInput.parse(rawInput);
  const name = ident(input.schema, input.table);
  const table = name.quoted;
  if (protectedRelationProblem(input.schema, input.table)) return { status: "missing", table };
  const runs = await ctx.prisma.run.findMany({ where: { workspaceId: ctx.workspaceId }, select: { id: true } });
  const ours = sql`${ident("r")}.${ident(RUN_COLUMN)}::text IN (SELECT unnest(${runs.map((run) => run.id)}::text[]))`;
  return transaction(
    ctx.pool,
    async (client): Promise<TDestinationRows> => {
      const found = await client.query<{ oid: number; blocks: string }>(
        `SELECT c.oid, pg_relation_size(c.oid) / current_setting('block_size')::bigint AS blocks
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
        [input.schema, input.table],
      );
      const relation = found.rows[0];
      if (!relation) return { status: "missing", table };
      const attributes = await client.query<TDestinationColumn>(
        `SELECT attname AS name, format_type(atttypid, atttypmod) AS type
           FROM pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [relation.oid],
      );
      const names = new Set(attributes.rows.map((c) => c.name));
      if (!names.has(LINEAGE_COLUMN) || !names.has(RUN_COLUMN)) return { status: "notLoaded", table };
      const columns = attributes.rows.filter((c) => c.name !== LINEAGE_COLUMN && c.name !== RUN_COLUMN);

      const r = ident("r");
      const text = (column: string) => {
        const value = sql`${r}.${ident(column)}::text`;
        return sql`CASE WHEN length(${value}) > ${MAX_VALUE_CHARS} THEN left(${value}, ${MAX_VALUE_CHARS}) || '…' ELSE ${value} END`;
      };
      const list = join([sql`${r}.ctid::text`, sql`${r}.${ident(LINEAGE_COLUMN)}`, sql`${r}.${ident(RUN_COLUMN)}::text`, ...columns.map((c) => text(c.name))]);
      const before = input.cursor ? sql` AND ${r}.ctid < ${input.cursor}::tid` : sql``;
      if (!input.cursor && (await query(client, sql`SELECT 1 FROM ${name} AS ${r} WHERE ${ours} LIMIT 1`)).rowCount === 0)
        return { status: "notLoaded", table };
      // Blocks at and after `end` hold nothing older than the cursor.
      const end = input.cursor ? Number(input.cursor.slice(1, input.cursor.indexOf(","))) + 1 : Number(relation.blocks);
      let rows: (string | null)[][] = [];
      for (let window = FIRST_WINDOW_BLOCKS; ; window *= WIDEN) {
        const from = Math.max(0, end - window);
        const page: Sql = sql`SELECT ${list} FROM ${name} AS ${r}
          WHERE ${r}.ctid >= ${`(${from},0)`}::tid${before} AND ${ours}
          ORDER BY ${r}.ctid DESC LIMIT ${input.limit + 1}`;
        rows = (await queryArrays<(string | null)[]>(client, page)).rows;
        if (rows.length > input.limit || from === 0) break;
      }
      const more = rows.length > input.limit;
      const shown = rows.slice(0, input.limit);
      const total = input.cursor
        ? null
        : Number((await query<{ n: string }>(client, sql`SELECT count(*) AS n FROM ${name} AS ${r} WHERE ${ours}`)).rows[0]?.n ?? 0);
      return {
        status: "loaded",
        table,
        columns,
        rows: shown.map((row) => row.slice(3)),
        lineageIds: shown.map((row) => String(row[1])),
        runIds: shown.map((row) => String(row[2])),
        total,
        nextCursor: more ? String(shown.at(-1)?.[0]) : null,
      };
    },
    { readOnly: true, rollback: true, settings: { statement_timeout: String(TIMEOUT_MS), TimeZone: "UTC" } },
  );
}
