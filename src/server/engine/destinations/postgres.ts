/**
 * The `destination.postgres` loader: moves a run's rows into a user's table with a few
 * set-based statements on the caller's connection, inside the caller's transaction, so a
 * failure or crash at any point leaves the table as it was.
 *
 * Decisions a user can observe (the node's description says the same in fewer words):
 * - A missing schema is created, and so is a missing table: the incoming columns in order
 *   (string text, integer bigint, number double precision, boolean, date, timestamp
 *   timestamptz, json jsonb), then `_sluice_lineage_id text NOT NULL` and
 *   `_sluice_run_id uuid NOT NULL`. Upsert and replace with a key get a primary key on it,
 *   built after the bulk insert (faster than maintaining it row by row).
 * - An existing table gains incoming columns it lacks as nullable columns; older rows read
 *   NULL there. A column of another type, a required column the rows cannot fill, or (for
 *   upsert) no unique index on exactly the key is an error naming the fix.
 * - upsert: a key repeated within the run keeps its last row in source order (lineage id
 *   order); a NULL in a key column fails the node with the column and row count. Rows equal
 *   to what the table holds are not written, so a rerun of the same input writes nothing:
 *   such a row keeps the `_sluice_lineage_id` and `_sluice_run_id` of the run that last
 *   changed it, whose source record holds these very values.
 * - append inserts every row. It is atomic, not idempotent: a second run appends again.
 * - replace empties the table with TRUNCATE in the same transaction, so readers see the old
 *   rows until commit (they wait on the lock meanwhile) and the table keeps its indexes,
 *   grants and dependent views. With a key, a repeated key keeps its last row as in upsert.
 * - Loads into the same table are serialized by a transaction-scoped advisory lock.
 * - `signal` is checked between statements; a statement already running is not interrupted.
 *
 * Speed (PERFORMANCE.md; 1M rows, PostgreSQL 15, ratios to a raw COPY of the file): a first
 * load inserts everything and builds the primary key afterwards (~2×); only if that finds a
 * repeated or NULL key does it roll back to a savepoint and take the slower path. Into an
 * existing table a hash aggregate over the key columns counts rows, keys and NULLs first
 * (~0.5–1×), so the sort of whole rows that "last wins" needs runs only when a key repeats;
 * then MERGE skips unchanged rows (a rerun: ~2–3.5× in all). replace into an existing table
 * keeps its indexes up to date row by row, several times slower than a first load.
 */
import type pg from "pg";
import type { z } from "zod";
import { LINEAGE_COLUMN, RUN_COLUMN, type CompileInput } from "@/nodes/contract";
import type postgresDestination from "@/nodes/destinations/postgres";
import { ident, join, raw, sql, type Sql } from "@/nodes/sql";
import { protectedRelationProblem } from "../../db/protected-relations";
import { query, queryArrays } from "../../db/query";
import { findRelation, readTable, schemaExists } from "./postgres-catalog";
import { inputProblems, newTableColumns, planExistingTable, type ColumnDefinition } from "./postgres-plan";

export type TPostgresDestinationConfig = z.output<typeof postgresDestination.config>;

export interface LoadPostgresArgs {
  /** Must be inside a transaction the caller commits or rolls back. */
  client: pg.ClientBase;
  /** The rows: `columns` plus {@link LINEAGE_COLUMN}. */
  input: CompileInput;
  config: TPostgresDestinationConfig;
  /** Written to {@link RUN_COLUMN}; a UUID. */
  runId: string;
  nodeId: string;
  signal?: AbortSignal;
}

/**
 * Row counts. `rowsIn − rowsWritten − rowsUnchanged` rows were superseded by a later row
 * with the same key in the same run (upsert and replace with a key); the log says how many.
 */
export interface LoadPostgresResult {
  /** Rows the input relation holds. */
  rowsIn: number;
  /** Rows inserted or updated. */
  rowsWritten: number;
  /** upsert only: keys whose row in the table already held exactly the incoming values. */
  rowsUnchanged: number;
  /** The table did not exist and was created. */
  created: boolean;
  /** What happened, one line per step worth telling a user. */
  log: string[];
}

/** A load that cannot proceed; the message says what to change. */
export class DestinationError extends Error {}

/** Raised for the load only (SET LOCAL semantics): sorts for dedupe and MERGE, the PK build. */
const WORK_MEM = "256MB";
const MAINTENANCE_WORK_MEM = "512MB";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loadPostgres(args: LoadPostgresArgs): Promise<LoadPostgresResult> {
  const { client, input, config, runId, signal } = args;
  const tableName = ident(config.schema, config.table).quoted;
  const target = sql`${ident(config.schema, config.table)}`;
  // append has no use for a key: a primary key would make the next append fail.
  const key = config.mode === "append" ? [] : config.key;

  // Saving refuses these already; a version pinned before that rule still reaches here.
  const forbidden = protectedRelationProblem(config.schema, config.table);
  if (forbidden) throw new DestinationError(`Cannot load into ${tableName}: ${forbidden}`);
  const problems = inputProblems(input.columns, config.mode, config.key);
  if (!UUID_RE.test(runId)) problems.push(`the run id ${JSON.stringify(runId)} is not a UUID`);
  if (problems.length > 0) throw new DestinationError(`Cannot load into ${tableName}: ${problems.join("; ")}`);

  const db = new Statements(client, signal, tableName, config.mode);
  const log: string[] = [];

  await db.run(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`sluice destination ${tableName}`}, 0))`);
  const previous = await raiseMemory(db);

  if (!(await schemaExists(client, config.schema))) {
    await db.run(sql`CREATE SCHEMA ${ident(config.schema)}`);
    log.push(`Created schema ${ident(config.schema).quoted}`);
  }

  const relation = await findRelation(client, config.schema, config.table);
  if (relation && relation.kind !== "table")
    throw new DestinationError(`${tableName} names an existing ${relation.kindName}, not a table: choose another table name`);

  const load: LoadSql = { target, input, key, runId, tableName };
  const created = relation === null;
  let counts: Counts;
  if (created) {
    await db.run(sql`CREATE TABLE ${target} (${join(newTableColumns(input.columns).map(columnDefinition))})`);
    log.push(`Created table ${tableName} with ${input.columns.length} columns plus lineage`);
    counts = await firstLoad(db, load);
  } else {
    const plan = planExistingTable(await readTable(client, relation.oid), tableName, input.columns, config.mode, key);
    if (plan.problems.length > 0)
      throw new DestinationError(`Cannot load into ${tableName}: ${plan.problems.join("; ")}`);
    if (plan.addColumns.length > 0) {
      await db.run(sql`ALTER TABLE ${target} ${join(plan.addColumns.map((c) => sql`ADD COLUMN ${columnDefinition(c)}`))}`);
      log.push(`Added ${plan.addColumns.map((c) => `${ident(c.name).quoted} (${c.type})`).join(", ")} to ${tableName}`);
    }
    // Counting per key (a hash aggregate over the key columns) catches NULL keys before anything
    // is written, and tells whether any key repeats: only then is the far costlier sort of
    // whole rows for "last wins" needed. It also gives what MERGE's row count cannot: distinct keys.
    const keys = key.length > 0 ? await keyStats(db, load) : null;
    const dedupe = keys !== null && keys.distinct < keys.rowsIn;
    if (config.mode === "upsert") {
      const rowsWritten = await db.count(mergeStatement(load, dedupe));
      counts = { rowsIn: keys?.rowsIn ?? rowsWritten, rowsWritten, rowsUnchanged: (keys?.distinct ?? rowsWritten) - rowsWritten };
    } else {
      if (config.mode === "replace") {
        await db.run(sql`TRUNCATE ${target}`);
        log.push(`Emptied ${tableName}`);
      }
      const rowsWritten = await db.count(insertStatement(load, dedupe));
      counts = { rowsIn: keys?.rowsIn ?? rowsWritten, rowsWritten, rowsUnchanged: 0 };
    }
  }
  const { rowsIn, rowsWritten, rowsUnchanged } = counts;

  await restoreMemory(db, previous);

  const superseded = rowsIn - rowsWritten - rowsUnchanged;
  if (superseded > 0)
    log.push(`${count(superseded)} ${superseded === 1 ? "row was" : "rows were"} superseded by a later row with the same key`);
  log.push(
    config.mode === "upsert"
      ? `Upserted into ${tableName}: ${count(rowsWritten)} inserted or updated, ${count(rowsUnchanged)} unchanged`
      : `${config.mode === "append" ? "Appended" : "Loaded"} ${count(rowsWritten)} rows into ${tableName}`,
  );
  return { rowsIn, rowsWritten, rowsUnchanged, created, log };
}

interface LoadSql {
  target: Sql;
  tableName: string;
  input: CompileInput;
  /** Empty for append. */
  key: readonly string[];
  runId: string;
}

interface Counts {
  rowsIn: number;
  rowsWritten: number;
  rowsUnchanged: number;
}

const FIRST_LOAD_SAVEPOINT = raw("sluice_destination_first_load");

/**
 * Into a table created in this transaction: insert everything, then build the primary key,
 * which is cheaper than keeping an index up to date row by row and needs no sort of whole
 * rows. Only when the key turns out to repeat (or be NULL) do we go back and pay for that.
 */
async function firstLoad(db: Statements, load: LoadSql): Promise<Counts> {
  if (load.key.length === 0) {
    const rowsIn = await db.count(insertStatement(load, false));
    return { rowsIn, rowsWritten: rowsIn, rowsUnchanged: 0 };
  }
  const addPrimaryKey = sql`ALTER TABLE ${load.target} ADD PRIMARY KEY (${join(load.key.map((k) => ident(k)))})`;
  await db.run(sql`SAVEPOINT ${FIRST_LOAD_SAVEPOINT}`);
  const rowsIn = await db.count(insertStatement(load, false));
  let rowsWritten = rowsIn;
  const failure = await db.attempt(addPrimaryKey);
  if (failure) {
    // 23505: a key repeats; 23502: a key column is NULL.
    if (failure.code !== "23505" && failure.code !== "23502") throw db.explain(failure);
    await db.run(sql`ROLLBACK TO SAVEPOINT ${FIRST_LOAD_SAVEPOINT}`);
    await checkNoNullKeys(db, load);
    rowsWritten = await db.count(insertStatement(load, true));
    await db.run(addPrimaryKey);
  }
  await db.run(sql`RELEASE SAVEPOINT ${FIRST_LOAD_SAVEPOINT}`);
  return { rowsIn, rowsWritten, rowsUnchanged: 0 };
}

function columnDefinition(column: ColumnDefinition): Sql {
  return sql`${ident(column.name)} ${raw(column.type)}${raw(column.notNull ? " NOT NULL" : "")}`;
}

/** The input as `s`; with `dedupe`, one row per key: the last in lineage order. */
function sourceRows({ input, key }: LoadSql, dedupe: boolean): Sql {
  const columns = join([...input.columns.map((c) => ident("s", c.name)), ident("s", LINEAGE_COLUMN)]);
  if (!dedupe) return sql`SELECT ${columns} FROM ${input.relation} AS s`;
  const keyColumns = join(key.map((k) => ident("s", k)));
  // COLLATE "C": lineage ids sort as bytes in every database locale (zero-padded lines).
  return sql`SELECT DISTINCT ON (${keyColumns}) ${columns} FROM ${input.relation} AS s
    ORDER BY ${keyColumns}, ${ident("s", LINEAGE_COLUMN)} COLLATE "C" DESC`;
}

function targetColumns(input: CompileInput): Sql {
  return join([...input.columns.map((c) => ident(c.name)), ident(LINEAGE_COLUMN), ident(RUN_COLUMN)]);
}

function insertStatement(load: LoadSql, dedupe: boolean): Sql {
  const { target, input, runId } = load;
  const values = join([
    ...input.columns.map((c) => ident("s", c.name)),
    ident("s", LINEAGE_COLUMN),
    sql`CAST(${runId} AS uuid)`,
  ]);
  return sql`INSERT INTO ${target} (${targetColumns(input)}) SELECT ${values} FROM (${sourceRows(load, dedupe)}) AS s`;
}

function mergeStatement(load: LoadSql, dedupe: boolean): Sql {
  const { target, input, key, runId } = load;
  const run = sql`CAST(${runId} AS uuid)`;
  const on = join(
    key.map((k) => sql`${ident("t", k)} = ${ident("s", k)}`),
    " AND ",
  );
  const valueColumns = input.columns.filter((c) => !key.includes(c.name));
  const insertValues = join([...input.columns.map((c) => ident("s", c.name)), ident("s", LINEAGE_COLUMN), run]);
  const whenNotMatched = sql`WHEN NOT MATCHED THEN INSERT (${targetColumns(input)}) VALUES (${insertValues})`;
  // With only key columns there is nothing a matched row could differ in.
  if (valueColumns.length === 0)
    return sql`MERGE INTO ${target} AS t USING (${sourceRows(load, dedupe)}) AS s ON ${on} ${whenNotMatched}`;
  const changed = sql`ROW(${join(valueColumns.map((c) => ident("t", c.name)))}) IS DISTINCT FROM ROW(${join(valueColumns.map((c) => ident("s", c.name)))})`;
  const assignments = join([
    ...valueColumns.map((c) => sql`${ident(c.name)} = ${ident("s", c.name)}`),
    sql`${ident(LINEAGE_COLUMN)} = ${ident("s", LINEAGE_COLUMN)}`,
    sql`${ident(RUN_COLUMN)} = ${run}`,
  ]);
  return sql`MERGE INTO ${target} AS t USING (${sourceRows(load, dedupe)}) AS s ON ${on}
    WHEN MATCHED AND ${changed} THEN UPDATE SET ${assignments}
    ${whenNotMatched}`;
}

interface KeyStats {
  rowsIn: number;
  distinct: number;
}

async function keyStats(db: Statements, load: LoadSql): Promise<KeyStats> {
  // Positional aliases: a key column may itself be called "n".
  const grouped = join(load.key.map((k, i) => sql`${ident("s", k)} AS ${ident(`k${i}`)}`));
  const nulls = load.key.map((_, i) => sql`COALESCE(sum(g.n) FILTER (WHERE g.${ident(`k${i}`)} IS NULL), 0)::text`);
  const [row = []] = await db.rows(sql`SELECT COALESCE(sum(g.n), 0)::text, count(*)::text, ${join(nulls)}
    FROM (SELECT ${grouped}, count(*) AS n FROM ${load.input.relation} AS s GROUP BY ${join(load.key.map((_, i) => raw(String(i + 1))))}) AS g`);
  const [rowsIn = 0, distinct = 0, ...nullCounts] = row.map(Number);
  throwOnNullKeys(load, rowsIn, nullCounts);
  return { rowsIn, distinct };
}

async function checkNoNullKeys(db: Statements, load: LoadSql): Promise<void> {
  const nulls = load.key.map((k) => sql`count(*) FILTER (WHERE ${ident("s", k)} IS NULL)::text`);
  const [row = []] = await db.rows(sql`SELECT count(*)::text, ${join(nulls)} FROM ${load.input.relation} AS s`);
  const [rowsIn = 0, ...nullCounts] = row.map(Number);
  throwOnNullKeys(load, rowsIn, nullCounts);
}

function throwOnNullKeys({ key, tableName }: LoadSql, rowsIn: number, nullCounts: number[]): void {
  const empty = key.flatMap((k, i) => ((nullCounts[i] ?? 0) > 0 ? [`"${k}" in ${count(nullCounts[i] ?? 0)}`] : []));
  if (empty.length > 0)
    throw new DestinationError(
      `Cannot load into ${tableName}: the key must identify every row, but it is empty (NULL) in ${empty.length === 1 ? "column " : "columns "}` +
        `${empty.join(", ")} of ${count(rowsIn)} rows. Filter those rows out upstream, or make the key column required in a validate node so they are quarantined.`,
    );
}

interface MemorySettings {
  workMem: string;
  maintenanceWorkMem: string;
}

async function raiseMemory(db: Statements): Promise<MemorySettings> {
  const [row] = await db.rows(sql`SELECT current_setting('work_mem'), current_setting('maintenance_work_mem')`);
  await db.run(sql`SELECT set_config('work_mem', ${WORK_MEM}, true) WHERE pg_size_bytes(current_setting('work_mem')) < pg_size_bytes(${WORK_MEM})`);
  await db.run(
    sql`SELECT set_config('maintenance_work_mem', ${MAINTENANCE_WORK_MEM}, true) WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(${MAINTENANCE_WORK_MEM})`,
  );
  return { workMem: String(row?.[0]), maintenanceWorkMem: String(row?.[1]) };
}

/** The caller's transaction goes on after the load; it gets its own settings back. */
async function restoreMemory(db: Statements, previous: MemorySettings): Promise<void> {
  await db.run(sql`SELECT set_config('work_mem', ${previous.workMem}, true), set_config('maintenance_work_mem', ${previous.maintenanceWorkMem}, true)`);
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

interface PgError {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  column?: string;
}

/** An error PostgreSQL reported (a five-character SQLSTATE), not a lost connection (ECONNRESET…). */
function isPgError(error: unknown): error is PgError {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
}

/** Runs statements on the caller's client: checks the abort signal, explains failures. */
class Statements {
  constructor(
    private readonly client: pg.ClientBase,
    private readonly signal: AbortSignal | undefined,
    private readonly tableName: string,
    private readonly mode: TPostgresDestinationConfig["mode"],
  ) {}

  async run(statement: Sql): Promise<pg.QueryArrayResult> {
    this.signal?.throwIfAborted();
    try {
      return await queryArrays(this.client, statement);
    } catch (error) {
      throw this.explain(error);
    }
  }

  async rows(statement: Sql): Promise<unknown[][]> {
    return (await this.run(statement)).rows;
  }

  /** Runs a statement that may fail for a reason the caller handles: returns PostgreSQL's error. */
  async attempt(statement: Sql): Promise<PgError | null> {
    this.signal?.throwIfAborted();
    try {
      await query(this.client, statement);
      return null;
    } catch (error) {
      if (isPgError(error)) return error;
      throw error;
    }
  }

  /** The statement's row count (rows inserted, updated or merged). */
  async count(statement: Sql): Promise<number> {
    return (await this.run(statement)).rowCount ?? 0;
  }

  explain(error: unknown): unknown {
    if (!isPgError(error)) return error;
    const detail = (error.detail ? ` (${error.detail})` : "") + (error.hint ? `. ${error.hint}` : "");
    const message = ((): string => {
      switch (error.code) {
        case "23505":
          return this.mode === "append"
            ? `appending would repeat a unique key of ${this.tableName}${detail}: use upsert to update rows that are already there`
            : `the rows would repeat a unique key of ${this.tableName}${detail}: make the destination's key match that unique key so the last row wins`;
        case "23502":
          return `column "${error.column ?? "?"}" of ${this.tableName} does not accept empty (NULL) values, but some incoming rows have none: fill them upstream or drop NOT NULL from the column`;
        case "42501":
          return `the database user may not change ${this.tableName}: ${error.message}. Grant it the privilege, or choose another table or schema`;
        default:
          return `${error.message}${detail}`;
      }
    })();
    return new DestinationError(`Loading into ${this.tableName} failed: ${message}`, { cause: error });
  }
}
