/**
 * Test harness for the validate engine: loads hand-written rows into a table of a fresh
 * test database, runs validateInSql (or applySetRules) in a transaction that is rolled
 * back, and returns the target rows and the quarantined records, in input order.
 */
import type pg from "pg";
import { afterAll } from "vitest";
import { LINEAGE_COLUMN, type Column } from "@/nodes/contract";
import { ident, join, raw, sql, type Sql } from "@/nodes/sql";
import { ZValidateConfig } from "@/nodes/validate/config";
import type { Violation } from "@/nodes/validate/rules";
import { PG_TYPES } from "@/nodes/values";
import { query, transaction } from "@/server/db/query";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { applySetRules, validateInSql, type ValidateCounts } from "./validate-in-sql";

export const WORKSPACE_ID = "00000000-0000-4000-8000-000000000001";
export const RUN_ID = "00000000-0000-4000-8000-000000000002";

export interface QuarantinedRow {
  lineage: string;
  record: Record<string, string | null>;
  errors: Violation[];
}

export interface EngineResult extends ValidateCounts {
  /** Target rows as text (canonical: dates YYYY-MM-DD, timestamps UTC ISO), keyed by column, in input order. */
  rows: Record<string, string | null>[];
  lineage: string[];
  quarantined: QuarantinedRow[];
}

export interface EngineInput {
  columns: Column[];
  /** Values as PostgreSQL reads them into each column's type (text), null for NULL. */
  rows: (string | null)[][];
}

let database: Promise<TestDatabase> | undefined;
afterAll(async () => {
  if (database) await (await database).drop();
});

export async function testPool(): Promise<pg.Pool> {
  database ??= createTestDatabase().then(async (db) => {
    await db.pool.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'test') ON CONFLICT DO NOTHING`, [WORKSPACE_ID]);
    return db;
  });
  return (await database).pool;
}

/** Lineage id of the n-th input row, shaped like a source's (line numbers of varying width). */
export const lineageOf = (n: number) => `${RUN_ID}:src:${n + 2}:00ff`;

/** Runs `work` in a transaction rolled back afterwards, with the input loaded as table "input". */
export async function withInput<T>(input: EngineInput, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return transaction(
    await testPool(),
    async (client) => {
      const defs = input.columns.map((c) => sql`${ident(c.name)} ${raw(PG_TYPES[c.type])}`);
      await query(client, sql`CREATE TEMP TABLE input (${join([...defs, sql`${ident(LINEAGE_COLUMN)} text NOT NULL`])})`);
      const arrays = [
        sql`${input.rows.map((_, n) => lineageOf(n))}::text[]`,
        ...input.columns.map((_, i) => sql`${input.rows.map((row) => row[i] ?? null)}::text[]`),
      ];
      const aliases = [ident("l"), ...input.columns.map((_, i) => ident(`c${i}`))];
      const casts = input.columns.map((c, i) => sql`${ident(`c${i}`)}::${raw(PG_TYPES[c.type])}`);
      await query(
        client,
        sql`INSERT INTO input (${join([...input.columns.map((c) => ident(c.name)), ident(LINEAGE_COLUMN)])})
          SELECT ${join([...casts, ident("l")])} FROM unnest(${join(arrays)}) AS u(${join(aliases)})`,
      );
      return work(client);
    },
    { rollback: true },
  );
}

/** UTC ISO text as values.ts writes it: astronomical years (1 BC is 0000). */
function isoUtc(utc: Sql): Sql {
  return sql`CASE WHEN to_char(${utc}, 'BC') = 'BC'
    THEN lpad((extract(year FROM ${utc})::int + 1)::text, 4, '0') || to_char(${utc}, '-MM-DD"T"HH24:MI:SS.US"Z"')
    ELSE to_char(${utc}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END`;
}

async function readResult(client: pg.PoolClient, counts: ValidateCounts, target: string): Promise<EngineResult> {
  const columns = await client.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [target],
  );
  const shown = columns.rows.map((c) =>
    c.type === "timestamp with time zone"
      ? sql`${isoUtc(sql`(${ident(c.name)} AT TIME ZONE 'UTC')`)} AS ${ident(c.name)}`
      : sql`${ident(c.name)}::text AS ${ident(c.name)}`,
  );
  const rows = await query<Record<string, string | null>>(
    client,
    sql`SELECT ${join(shown)} FROM ${ident(target)} ORDER BY length(${ident(LINEAGE_COLUMN)}), ${ident(LINEAGE_COLUMN)}`,
  );
  const quarantined = await client.query<QuarantinedRow>(
    `SELECT lineage_id AS lineage, record, errors FROM quarantined_records WHERE run_id = $1
     ORDER BY length(lineage_id), lineage_id`,
    [RUN_ID],
  );
  return {
    ...counts,
    rows: rows.rows.map(({ [LINEAGE_COLUMN]: _lineage, ...rest }) => rest),
    lineage: rows.rows.map((r) => String(r[LINEAGE_COLUMN])),
    quarantined: quarantined.rows,
  };
}

/** Runs validateInSql over `input` with `config` (parsed by the node's schema). */
export async function runValidate(config: unknown, input: EngineInput): Promise<EngineResult> {
  const parsed = ZValidateConfig.parse(config);
  return withInput(input, async (client) => {
    const counts = await validateInSql({
      client,
      input: { relation: sql`(SELECT * FROM input)`, columns: input.columns },
      config: parsed,
      target: sql`${ident("valid")}`,
      quarantine: { workspaceId: WORKSPACE_ID, runId: RUN_ID, nodeId: "val" },
    });
    return readResult(client, counts, "valid");
  });
}

/** Runs applySetRules over `input` loaded as an already staged table. */
export async function runSetRules(config: unknown, input: EngineInput): Promise<EngineResult> {
  const parsed = ZValidateConfig.parse(config);
  return withInput(input, async (client) => {
    const rowsIn = input.rows.length;
    const rowsRejected = await applySetRules({
      client,
      table: sql`${ident("input")}`,
      config: parsed,
      quarantine: { workspaceId: WORKSPACE_ID, runId: RUN_ID, nodeId: "val" },
    });
    return readResult(client, { rowsIn, rowsOut: rowsIn - rowsRejected, rowsRejected }, "input");
  });
}
