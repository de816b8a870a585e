/**
 * Runs one node against real PostgreSQL on small, hand-written input tables, so a node's
 * test reads as "these rows in, these rows out". The node goes through the same steps the
 * engine takes: config parsed by its zod schema, `outputSchema`, then `execution.compile`,
 * executed as a view (row-wise nodes, SQL rendered with literal values as `CREATE VIEW`
 * requires) or as `CREATE TABLE AS` with bind parameters (set-based nodes).
 *
 * The harness also checks what a node promises: output column names, order and PostgreSQL
 * types must match `outputSchema`, followed by {@link LINEAGE_COLUMN}.
 *
 * Each test file gets its own database, created on the first fixture run and dropped after
 * the file's tests (vitest isolates modules per file, and the `afterAll` below registers
 * on the importing file).
 */
import type pg from "pg";
import { afterAll } from "vitest";
import {
  LINEAGE_COLUMN,
  type Column,
  type ConfigProblem,
  type NodeDefinition,
  type TColumnType,
  type UploadInfo,
} from "@/nodes/contract";
import { ident, join, raw, render, sql, type Sql } from "@/nodes/sql";
import { query, queryArrays, transaction } from "@/server/db/query";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";

/** One input relation: columns and rows, each row's values in column order. */
export interface FixtureInput {
  columns: Column[];
  rows: unknown[][];
  /** Lineage ids, one per row. Default: `L<port>:<rowIndex>` (row index from 0). */
  lineage?: string[];
}

export interface FixtureOptions {
  /** Passed to `compile`. Default: "fixture-run". */
  runId?: string;
  /** Passed to `compile`. Default: "fixture-node". */
  nodeId?: string;
  /** The session's TimeZone while the node runs. Default: "UTC". */
  timeZone?: string;
  /** Uploads `outputSchema` may look up. Default: none. */
  uploads?: UploadInfo[];
}

export interface FixtureResult {
  /** The columns `outputSchema` computed (empty when the config has problems). */
  columns: Column[];
  /**
   * Output rows, values in column order, sorted by every output column (ascending, NULLs
   * last) and then by lineage id, so expectations do not depend on PostgreSQL's plan.
   * integer → number (bigint beyond 2^53), number → number, date → "YYYY-MM-DD",
   * timestamp → ISO 8601 in UTC ("2024-01-31T12:00:00.000Z"), json → parsed value.
   */
  rows: unknown[][];
  /** The same rows as objects keyed by column name. */
  records: Record<string, unknown>[];
  /** The lineage id of each output row, parallel to `rows`. */
  lineage: string[];
  /** Config problems (zod issues or `report()`ed by `outputSchema`); when any, nothing ran. */
  problems: ConfigProblem[];
}

const POSTGRES_TYPES: Record<TColumnType, string> = {
  string: "text",
  integer: "bigint",
  number: "double precision",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp with time zone",
  json: "jsonb",
};

/**
 * Builds a {@link FixtureInput} from a column map and rows written either as arrays (values
 * in column order) or as objects (missing keys are NULL; unknown keys throw, to catch typos).
 *
 * @example table({ city: "string", aqi: "integer" }, [["Oslo", 40], { city: "Lima", aqi: 90 }])
 */
export function table(
  columns: Record<string, TColumnType>,
  rows: (unknown[] | Record<string, unknown>)[],
  lineage?: string[],
): FixtureInput {
  const cols = Object.entries(columns).map(([name, type]) => ({ name, type }));
  const names = new Set(cols.map((c) => c.name));
  const tuples = rows.map((row, index) => {
    if (Array.isArray(row)) return [...row];
    for (const key of Object.keys(row)) {
      if (!names.has(key)) throw new Error(`Fixture row ${index} has a value for unknown column ${JSON.stringify(key)}`);
    }
    return cols.map((c) => row[c.name] ?? null);
  });
  return lineage ? { columns: cols, rows: tuples, lineage } : { columns: cols, rows: tuples };
}

/**
 * Runs `node` with `config` over `inputs` (keyed by input port name) in a fresh
 * transaction that is rolled back afterwards. Throws when the node's SQL fails or its
 * output does not match its `outputSchema`; returns config problems instead of running.
 */
export async function runNodeFixture(
  node: NodeDefinition,
  config: unknown,
  inputs: Record<string, FixtureInput>,
  options: FixtureOptions = {},
): Promise<FixtureResult> {
  const nothing = { rows: [], records: [], lineage: [] };
  const parsed = node.config.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: issue.path.filter((p): p is string | number => typeof p !== "symbol"),
      message: issue.message,
    }));
    return { columns: [], problems, ...nothing };
  }
  const problems: ConfigProblem[] = [];
  const columns = node.outputSchema({
    config: parsed.data,
    upload: (id) => options.uploads?.find((u) => u.id === id),
    inputs: Object.fromEntries(Object.entries(inputs).map(([port, input]) => [port, input.columns])),
    report: (problem) => problems.push(problem),
  });
  if (problems.length > 0) return { columns: [], problems, ...nothing };
  if (node.execution.kind !== "sql") {
    throw new Error(`${node.type} runs as "${node.execution.kind}"; the fixture harness runs "sql" nodes only`);
  }
  const { compile, rowwise } = node.execution;

  const pool = await fixturePool();
  // Rolled back: every fixture starts from an empty database.
  return transaction(pool, async (client) => {
    const compileInputs: Record<string, { relation: Sql; columns: Column[] }> = {};
    for (const [port, input] of Object.entries(inputs)) {
      const tableName = `fixture_input_${port}`;
      await loadInput(client, tableName, port, input);
      // A subquery rather than the bare table name: nodes must alias their FROM items.
      compileInputs[port] = { relation: sql`(SELECT * FROM ${ident(tableName)})`, columns: input.columns };
    }
    const compiled = compile({
      config: parsed.data,
      inputs: compileInputs,
      output: columns,
      runId: options.runId ?? "fixture-run",
      nodeId: options.nodeId ?? "fixture-node",
    });
    const output = ident("fixture_output");
    const create = rowwise
      ? { text: render(sql`CREATE TEMP VIEW ${output} AS ${compiled}`, { literalValues: true }).text, values: [] }
      : render(sql`CREATE TEMP TABLE ${output} AS ${compiled}`);
    await runQuery(client, create, `${node.type}'s compiled SQL failed`);
    await checkOutputColumns(client, node.type, columns);

    const selectList = columns.map((c) => presented(c));
    const orderBy = [...columns.map((_, i) => raw(`${i + 1} NULLS LAST`)), ident(LINEAGE_COLUMN)];
    const result = await queryArrays(client, sql`SELECT ${join([...selectList, ident(LINEAGE_COLUMN)])} FROM ${output} ORDER BY ${join(orderBy)}`);
    const rows = result.rows.map((row) => columns.map((c, i) => fromPostgres(c.type, row[i])));
    const lineage = result.rows.map((row) => String(row[columns.length]));
    const records = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i]])));
    return { columns, rows, records, lineage, problems };
  }, { rollback: true, settings: { TimeZone: options.timeZone ?? "UTC" } });
}

/** Loads one input in a single statement: one text[] parameter per column, cast in SQL. */
async function loadInput(client: pg.PoolClient, tableName: string, port: string, input: FixtureInput): Promise<void> {
  const lineage = input.lineage ?? input.rows.map((_, i) => `L${port}:${i}`);
  if (lineage.length !== input.rows.length) {
    throw new Error(`Input "${port}": ${lineage.length} lineage ids for ${input.rows.length} rows`);
  }
  input.rows.forEach((row, i) => {
    if (row.length !== input.columns.length) {
      throw new Error(`Input "${port}" row ${i} has ${row.length} values for ${input.columns.length} columns`);
    }
  });
  const name = ident(tableName);
  const definitions = input.columns.map((c) => sql`${ident(c.name)} ${raw(POSTGRES_TYPES[c.type])}`);
  await query(client, sql`CREATE TEMP TABLE ${name} (${join([...definitions, sql`${ident(LINEAGE_COLUMN)} text NOT NULL`])})`);
  const arrays = [
    sql`${lineage}::text[]`,
    ...input.columns.map((c) => sql`${input.rows.map((row) => toText(c, row[input.columns.indexOf(c)]))}::text[]`),
  ];
  const aliases = [ident("lineage"), ...input.columns.map((_, i) => ident(`c${i}`))];
  const casts = input.columns.map((c, i) => sql`${ident(`c${i}`)}::${raw(POSTGRES_TYPES[c.type])}`);
  const insert = sql`INSERT INTO ${name} (${join([...input.columns.map((c) => ident(c.name)), ident(LINEAGE_COLUMN)])})
    SELECT ${join([...casts, ident("lineage")])} FROM unnest(${join(arrays)}) AS u(${join(aliases)})`;
  await runQuery(client, render(insert), `Could not load fixture input "${port}"`);
}

function toText(column: Column, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return column.type === "date" ? value.toISOString().slice(0, 10) : value.toISOString();
  if (column.type === "json") return JSON.stringify(value);
  if (typeof value === "object") throw new Error(`Fixture value for ${column.type} column "${column.name}" is an object`);
  return String(value);
}

async function runQuery(client: pg.PoolClient, query: { text: string; values: unknown[] }, what: string): Promise<void> {
  try {
    await client.query(query);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${what}: ${message}\nSQL: ${query.text}\nValues: ${JSON.stringify(query.values)}`, {
      cause: error,
    });
  }
}

async function checkOutputColumns(client: pg.PoolClient, nodeType: string, columns: Column[]): Promise<void> {
  const actual = await client.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
     WHERE attrelid = 'fixture_output'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
  );
  const expected = [
    ...columns.map((c) => ({ name: c.name, type: POSTGRES_TYPES[c.type] })),
    { name: LINEAGE_COLUMN, type: "text" },
  ];
  const describe = (cols: { name: string; type: string }[]) => cols.map((c) => `${c.name} ${c.type}`).join(", ");
  if (describe(actual.rows) !== describe(expected)) {
    throw new Error(
      `${nodeType}'s SQL produced (${describe(actual.rows)}) but outputSchema promises (${describe(expected)})`,
    );
  }
}

/** Dates and timestamps leave PostgreSQL as text, so results do not depend on the test machine's time zone. */
function presented(column: Column): Sql {
  const name = ident(column.name);
  if (column.type === "date") return sql`${name}::text`;
  if (column.type === "timestamp") return sql`to_char(${name} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return sql`${name}`;
}

function fromPostgres(type: TColumnType, value: unknown): unknown {
  if (type !== "integer" || typeof value !== "string") return value;
  const big = BigInt(value);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

let database: Promise<TestDatabase> | undefined;

afterAll(async () => {
  if (database) await (await database).drop();
});

async function fixturePool(): Promise<pg.Pool> {
  database ??= createTestDatabase();
  return (await database).pool;
}
