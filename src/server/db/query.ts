/**
 * The one way server code runs SQL on the raw pool: statements built with the `sql` tag
 * (identifiers validated and quoted, values as parameters), and transactions that always
 * end, committed or rolled back, with their connection given back.
 */
import type pg from "pg";
import { render, type Sql } from "@/nodes/sql";

/** A pool (one statement on any connection) or a connection (what a transaction runs on). */
export type Queryable = pg.Pool | pg.ClientBase;

export interface QueryOptions {
  /**
   * Values written into the statement as quoted literals instead of parameters: for
   * statements that cannot take parameters (CREATE VIEW, COPY (…) TO). Default false.
   */
  literalValues?: boolean;
  /** How values are read from their text; default: node-postgres's parsers for the column types. */
  types?: pg.CustomTypesConfig;
}

/** Runs one statement; rows as objects keyed by column name. */
export function query<R extends pg.QueryResultRow = pg.QueryResultRow>(db: Queryable, statement: Sql, options: QueryOptions = {}): Promise<pg.QueryResult<R>> {
  const { text, values } = render(statement, options);
  return db.query<R>({ text, values, types: options.types });
}

/** Runs one statement; rows as arrays of values in select-list order (no object per row). */
export function queryArrays<R extends unknown[] = unknown[]>(db: Queryable, statement: Sql, options: QueryOptions = {}): Promise<pg.QueryArrayResult<R>> {
  const { text, values } = render(statement, options);
  return db.query<R>({ text, values, rowMode: "array", types: options.types });
}

/** Runs `work` on a connection of its own, given back to the pool afterwards. */
export async function withConnection<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

export interface TransactionOptions {
  /** BEGIN READ ONLY. Default false. */
  readOnly?: boolean;
  /** Roll back even when `work` succeeds: a scratch transaction whose effects nobody else ever sees. Default false. */
  rollback?: boolean;
  /** Settings for this transaction only (SET LOCAL), e.g. `{ statement_timeout: "5000" }`; values are parameters. */
  settings?: Record<string, string>;
}

async function applySettings(client: pg.ClientBase, options: TransactionOptions): Promise<void> {
  for (const [name, value] of Object.entries(options.settings ?? {})) await client.query("SELECT set_config($1, $2, true)", [name, value]);
}

/**
 * Runs `work` in one transaction on `client`, a connection the caller holds (so it can run
 * several transactions in turn, e.g. one per chunk). Commits when `work` resolves, rolls
 * back when it throws.
 */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  await client.query(options.readOnly ? "BEGIN READ ONLY" : "BEGIN");
  try {
    await applySettings(client, options);
    const result = await work();
    await client.query(options.rollback ? "ROLLBACK" : "COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Runs `work` in one transaction on a connection of its own (see {@link inTransaction}). */
export function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  return withConnection(pool, (client) => inTransaction(client, () => work(client), options));
}

/**
 * The values `work` yields, read in one transaction on a connection of its own that lasts
 * as long as the reading (a download streamed from a cursor). The transaction starts
 * before this resolves, so a failing BEGIN or `start` rejects here, not in the middle of
 * the stream; it commits when `work` is exhausted and rolls back when it throws or the
 * reader stops early. A connection whose transaction failed is destroyed, not pooled.
 */
export async function transactionStream<T>(
  pool: pg.Pool,
  start: (client: pg.PoolClient) => Promise<unknown>,
  work: (client: pg.PoolClient) => AsyncIterable<T>,
  options: TransactionOptions = {},
): Promise<AsyncGenerator<T>> {
  const client = await pool.connect();
  try {
    await client.query(options.readOnly ? "BEGIN READ ONLY" : "BEGIN");
    await applySettings(client, options);
    await start(client);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    client.release(asError(error));
    throw error;
  }
  return (async function* () {
    let failure: Error | undefined;
    let ended = false;
    try {
      yield* work(client);
      await client.query(options.rollback ? "ROLLBACK" : "COMMIT");
      ended = true;
    } catch (error) {
      failure = asError(error);
      throw error;
    } finally {
      if (!ended) await client.query("ROLLBACK").catch((error: unknown) => (failure ??= asError(error)));
      client.release(failure);
    }
  })();
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Whether a table or view exists (e.g. a run's node output that retention may have dropped). */
export async function relationExists(db: Queryable, relation: Sql): Promise<boolean> {
  const result = await db.query<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [render(relation).text]);
  return result.rows[0]?.present === true;
}
