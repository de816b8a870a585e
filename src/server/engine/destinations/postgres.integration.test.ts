import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LINEAGE_COLUMN, type CompileInput, type TColumnType } from "@/nodes/contract";
import postgresDestination from "@/nodes/destinations/postgres";
import { ident, join, raw, render, sql } from "@/nodes/sql";
import { PG_TYPES } from "@/nodes/values";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { DestinationError, loadPostgres, type LoadPostgresResult } from "./postgres";

const RUN_1 = "00000000-0000-4000-8000-000000000001";
const RUN_2 = "00000000-0000-4000-8000-000000000002";
const RUN_3 = "00000000-0000-4000-8000-000000000003";

let db: TestDatabase;
let inputCount = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query("CREATE SCHEMA staging");
});
afterAll(async () => {
  await db.drop();
});

/** A lineage id as a CSV source writes it: the line zero-padded, so text order is line order. */
const lineage = (line: number) => `${RUN_1}:src:${String(line).padStart(12, "0")}:0a1b2c3d`;

/** Stages rows (objects keyed by column name) as an input relation; lines default to 2, 3, 4… */
async function stage(columns: Record<string, TColumnType>, rows: Record<string, unknown>[], lines?: number[]): Promise<CompileInput> {
  const name = `input_${++inputCount}`;
  const cols = Object.entries(columns).map(([n, type]) => ({ name: n, type }));
  const definitions = [...cols.map((c) => sql`${ident(c.name)} ${raw(PG_TYPES[c.type])}`), sql`${ident(LINEAGE_COLUMN)} text NOT NULL`];
  await db.pool.query(render(sql`CREATE TABLE ${ident("staging", name)} (${join(definitions)})`));
  const records = rows.map((row, i) => ({ ...row, [LINEAGE_COLUMN]: lineage(lines?.[i] ?? i + 2) }));
  await db.pool.query(
    render(
      sql`INSERT INTO ${ident("staging", name)} SELECT * FROM jsonb_populate_recordset(NULL::${ident("staging", name)}, ${JSON.stringify(records)}::jsonb)`,
    ),
  );
  return { relation: sql`${ident("staging", name)}`, columns: cols };
}

/** Runs the loader in its own transaction, as the engine does, rolling back on failure. */
async function load(config: unknown, input: CompileInput, runId = RUN_1, signal?: AbortSignal): Promise<LoadPostgresResult> {
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    const result = await loadPostgres({ client, input, config: postgresDestination.config.parse(config), runId, nodeId: "dest", signal });
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}

async function loadError(config: unknown, input: CompileInput, runId = RUN_1): Promise<DestinationError> {
  const error = await load(config, input, runId).then(
    () => new Error("the load succeeded"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DestinationError);
  return error as DestinationError;
}

/** Rows as JSON objects (dates as text, bigint as numbers), ordered by `orderBy`. */
async function contents(schema: string, table: string, orderBy: string[]): Promise<Record<string, unknown>[]> {
  const result = await db.pool.query<{ row: Record<string, unknown> }>(
    render(sql`SELECT to_jsonb(t) AS row FROM ${ident(schema, table)} AS t ORDER BY ${join(orderBy.map((c) => ident("t", c)))}`),
  );
  return result.rows.map((r) => r.row);
}

async function columnsOf(schema: string, table: string) {
  const result = await db.pool.query<{ name: string; type: string; nullable: string }>(
    `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return result.rows;
}

async function primaryKey(schema: string, table: string): Promise<string[]> {
  const result = await db.pool.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND i.indisprimary
      ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [schema, table],
  );
  return result.rows.map((r) => r.name);
}

const readingColumns = { station: "string", day: "date", pm25: "number", aqi: "integer", ok: "boolean", measured: "timestamp", extra: "json" } as const;

describe("destination.postgres: a new table", () => {
  it("is created from the incoming columns with lineage, run id and a primary key on the key", async () => {
    const input = await stage(readingColumns, [
      { station: "Oslo", day: "2024-01-01", pm25: 10.5, aqi: 40, ok: true, measured: "2024-01-01T08:00:00Z", extra: { a: 1 } },
      { station: "Lima", day: "2024-01-01", pm25: 30, aqi: 90, ok: false, measured: null, extra: null },
    ]);
    const result = await load({ table: "readings", mode: "upsert", key: ["station", "day"] }, input);
    expect(result).toMatchObject({ rowsIn: 2, rowsWritten: 2, rowsUnchanged: 0, created: true });
    expect(result.log.join("\n")).toContain('Created table "public"."readings"');

    expect(await columnsOf("public", "readings")).toEqual([
      { name: "station", type: "text", nullable: "NO" },
      { name: "day", type: "date", nullable: "NO" },
      { name: "pm25", type: "double precision", nullable: "YES" },
      { name: "aqi", type: "bigint", nullable: "YES" },
      { name: "ok", type: "boolean", nullable: "YES" },
      { name: "measured", type: "timestamp with time zone", nullable: "YES" },
      { name: "extra", type: "jsonb", nullable: "YES" },
      { name: "_sluice_lineage_id", type: "text", nullable: "NO" },
      { name: "_sluice_run_id", type: "uuid", nullable: "NO" },
    ]);
    expect(await primaryKey("public", "readings")).toEqual(["station", "day"]);
    expect(await contents("public", "readings", ["station"])).toEqual([
      { station: "Lima", day: "2024-01-01", pm25: 30, aqi: 90, ok: false, measured: null, extra: null, _sluice_lineage_id: lineage(3), _sluice_run_id: RUN_1 },
      {
        station: "Oslo",
        day: "2024-01-01",
        pm25: 10.5,
        aqi: 40,
        ok: true,
        measured: "2024-01-01T08:00:00+00:00",
        extra: { a: 1 },
        _sluice_lineage_id: lineage(2),
        _sluice_run_id: RUN_1,
      },
    ]);
  });

  it("is created in a schema that does not exist yet", async () => {
    const input = await stage({ id: "integer" }, [{ id: 1 }]);
    const result = await load({ schema: "analytics", table: "ids", mode: "append" }, input);
    expect(result.log[0]).toBe('Created schema "analytics"');
    expect(await contents("analytics", "ids", ["id"])).toMatchObject([{ id: 1 }]);
  });

  it("gets no primary key in append mode, so appending again works", async () => {
    const input = await stage({ id: "integer" }, [{ id: 1 }]);
    await load({ table: "appended_keyless", mode: "append", key: ["id"] }, input);
    expect(await primaryKey("public", "appended_keyless")).toEqual([]);
  });

  it("leaves nothing behind when the load fails", async () => {
    const input = await stage({ id: "integer" }, [{ id: null }]);
    await loadError({ table: "never_created", key: ["id"] }, input);
    await loadError({ schema: "never_schema", table: "t", key: ["id"] }, input);
    const found = await db.pool.query("SELECT to_regclass('public.never_created') AS a, to_regnamespace('never_schema') AS b");
    expect(found.rows[0]).toEqual({ a: null, b: null });
  });
});

describe("destination.postgres: upsert", () => {
  it("keeps the last row of a key repeated within a run, in source line order", async () => {
    // Lines 9, 10 and 100: as unpadded text, 9 would sort last.
    const input = await stage(
      { id: "integer", v: "string" },
      [
        { id: 1, v: "line 10" },
        { id: 1, v: "line 100" },
        { id: 1, v: "line 9" },
        { id: 2, v: "only" },
      ],
      [10, 100, 9, 11],
    );
    const result = await load({ table: "dupes", key: ["id"] }, input);
    expect(result).toMatchObject({ rowsIn: 4, rowsWritten: 2, rowsUnchanged: 0 });
    expect(result.log).toContain("2 rows were superseded by a later row with the same key");
    expect(await contents("public", "dupes", ["id"])).toMatchObject([
      { id: 1, v: "line 100", _sluice_lineage_id: lineage(100) },
      { id: 2, v: "only" },
    ]);

    // The same holds when the table exists already (MERGE rather than the first-load insert).
    const again = await load({ table: "dupes", key: ["id"] }, input, RUN_2);
    expect(again).toMatchObject({ rowsIn: 4, rowsWritten: 0, rowsUnchanged: 2 });
    const changed = await stage({ id: "integer", v: "string" }, [{ id: 1, v: "b" }, { id: 1, v: "c" }, { id: 1, v: "a" }], [5, 7, 6]);
    await load({ table: "dupes", key: ["id"] }, changed, RUN_2);
    expect(await contents("public", "dupes", ["id"])).toMatchObject([{ id: 1, v: "c", _sluice_lineage_id: lineage(7) }, { id: 2 }]);
  });

  it("writes nothing when the same input is loaded again, keeping each row's lineage and run", async () => {
    const rows = [
      { station: "Oslo", day: "2024-01-01", pm25: 0.1 + 0.2, aqi: 40, ok: true, measured: "2024-01-01T08:00:00.123456Z", extra: { b: [1, 2] } },
      { station: "Lima", day: "2024-01-01", pm25: null, aqi: null, ok: null, measured: null, extra: null },
    ];
    const input = await stage(readingColumns, rows);
    await load({ table: "rerun", key: ["station", "day"] }, input, RUN_1);
    const before = await contents("public", "rerun", ["station"]);

    const result = await load({ table: "rerun", key: ["station", "day"] }, input, RUN_2);
    expect(result).toMatchObject({ rowsIn: 2, rowsWritten: 0, rowsUnchanged: 2, created: false });
    expect(await contents("public", "rerun", ["station"])).toEqual(before);
    const xmin = await db.pool.query("SELECT count(*)::int AS n FROM rerun WHERE _sluice_run_id = $1", [RUN_2]);
    expect(xmin.rows[0].n).toBe(0);
  });

  it("updates changed rows and inserts new ones; unchanged rows keep their old lineage", async () => {
    const first = await stage({ id: "integer", name: "string", score: "number" }, [
      { id: 1, name: "a", score: 1 },
      { id: 2, name: "b", score: 2 },
      { id: 3, name: "c", score: 3 },
    ]);
    await load({ table: "changes", key: ["id"] }, first, RUN_1);
    const second = await stage(
      { id: "integer", name: "string", score: "number" },
      [
        { id: 1, name: "a", score: 1 },
        { id: 2, name: "b", score: null },
        { id: 4, name: "d", score: 4 },
      ],
      [20, 21, 22],
    );
    const result = await load({ table: "changes", key: ["id"] }, second, RUN_2);
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 2, rowsUnchanged: 1 });
    expect(result.log).toContain('Upserted into "public"."changes": 2 inserted or updated, 1 unchanged');
    expect(await contents("public", "changes", ["id"])).toEqual([
      { id: 1, name: "a", score: 1, _sluice_lineage_id: lineage(2), _sluice_run_id: RUN_1 },
      { id: 2, name: "b", score: null, _sluice_lineage_id: lineage(21), _sluice_run_id: RUN_2 },
      { id: 3, name: "c", score: 3, _sluice_lineage_id: lineage(4), _sluice_run_id: RUN_1 },
      { id: 4, name: "d", score: 4, _sluice_lineage_id: lineage(22), _sluice_run_id: RUN_2 },
    ]);
  });

  it("works when every column is part of the key", async () => {
    const input = await stage({ a: "string", b: "integer" }, [{ a: "x", b: 1 }, { a: "x", b: 2 }]);
    await load({ table: "all_key", key: ["a", "b"] }, input, RUN_1);
    const more = await stage({ a: "string", b: "integer" }, [{ a: "x", b: 2 }, { a: "y", b: 1 }]);
    const result = await load({ table: "all_key", key: ["a", "b"] }, more, RUN_2);
    expect(result).toMatchObject({ rowsIn: 2, rowsWritten: 1, rowsUnchanged: 1 });
    expect((await contents("public", "all_key", ["a", "b"])).map((r) => [r.a, r.b])).toEqual([["x", 1], ["x", 2], ["y", 1]]);
  });

  it("fails on an empty (NULL) key, naming the column and how many rows", async () => {
    const seed = await stage({ id: "integer", region: "string", v: "string" }, [{ id: 1, region: "n", v: "kept" }]);
    await load({ table: "null_keys", key: ["id", "region"] }, seed);
    const input = await stage({ id: "integer", region: "string", v: "string" }, [
      { id: 1, region: "n", v: "changed" },
      { id: null, region: "n", v: "x" },
      { id: null, region: "s", v: "y" },
      { id: 5, region: null, v: "z" },
    ]);
    const error = await loadError({ table: "null_keys", key: ["id", "region"] }, input, RUN_2);
    expect(error.message).toContain('empty (NULL) in columns "id" in 2, "region" in 1 of 4 rows');
    expect(error.message).toContain("validate node");
    expect(await contents("public", "null_keys", ["id"])).toMatchObject([{ id: 1, v: "kept" }]);
  });

  it("uses a unique index that is not the primary key, and adds lineage columns to a table Sluice did not create", async () => {
    await db.pool.query("CREATE TABLE users_own (uid serial PRIMARY KEY, email text NOT NULL, name text, UNIQUE (email))");
    await db.pool.query("INSERT INTO users_own (email, name) VALUES ('a@x', 'Old A')");
    const input = await stage({ email: "string", name: "string" }, [{ email: "a@x", name: "New A" }, { email: "b@x", name: "B" }]);
    const result = await load({ table: "users_own", key: ["email"] }, input);
    expect(result).toMatchObject({ rowsWritten: 2, rowsUnchanged: 0, created: false });
    expect(result.log.join("\n")).toContain('Added "_sluice_lineage_id" (text), "_sluice_run_id" (uuid)');
    expect(await contents("public", "users_own", ["uid"])).toEqual([
      { uid: 1, email: "a@x", name: "New A", _sluice_lineage_id: lineage(2), _sluice_run_id: RUN_1 },
      { uid: 2, email: "b@x", name: "B", _sluice_lineage_id: lineage(3), _sluice_run_id: RUN_1 },
    ]);
  });
});

describe("destination.postgres: existing tables of slightly different types", () => {
  it("upserts into numeric and varchar columns and sees a rerun as unchanged", async () => {
    await db.pool.query("CREATE TABLE wider (id numeric PRIMARY KEY, label varchar, amount numeric)");
    const input = await stage({ id: "integer", label: "string", amount: "integer" }, [{ id: 42, label: "a", amount: 1 }]);
    expect(await load({ table: "wider", key: ["id"] }, input, RUN_1)).toMatchObject({ rowsWritten: 1 });
    expect(await load({ table: "wider", key: ["id"] }, input, RUN_2)).toMatchObject({ rowsWritten: 0, rowsUnchanged: 1 });
  });
});

describe("destination.postgres: concurrent loads", () => {
  it("into a table that does not exist yet take turns: one creates it, the other merges", async () => {
    const first = await stage({ id: "integer", v: "string" }, [{ id: 1, v: "a" }, { id: 2, v: "b" }]);
    const second = await stage({ id: "integer", v: "string" }, [{ id: 2, v: "B" }, { id: 3, v: "c" }]);
    const results = await Promise.all([
      load({ table: "raced", key: ["id"] }, first, RUN_1),
      load({ table: "raced", key: ["id"] }, second, RUN_2),
    ]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    const rows = await contents("public", "raced", ["id"]);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
  });
});

describe("destination.postgres: append and replace", () => {
  it("appends every row on every run", async () => {
    const input = await stage({ id: "integer" }, [{ id: 1 }, { id: 1 }]);
    expect(await load({ table: "log_rows", mode: "append" }, input, RUN_1)).toMatchObject({ rowsIn: 2, rowsWritten: 2, created: true });
    expect(await load({ table: "log_rows", mode: "append" }, input, RUN_2)).toMatchObject({ rowsIn: 2, rowsWritten: 2, created: false });
    const runs = await db.pool.query("SELECT _sluice_run_id AS run, count(*)::int AS n FROM log_rows GROUP BY 1 ORDER BY 1");
    expect(runs.rows).toEqual([{ run: RUN_1, n: 2 }, { run: RUN_2, n: 2 }]);
  });

  it("explains a unique key an append would repeat", async () => {
    await db.pool.query("CREATE TABLE append_unique (id bigint PRIMARY KEY)");
    const input = await stage({ id: "integer" }, [{ id: 7 }, { id: 7 }]);
    const error = await loadError({ table: "append_unique", mode: "append" }, input);
    expect(error.message).toMatch(/appending would repeat a unique key of "public"."append_unique" \(Key \(id\)=\(7\) already exists\.\): use upsert/);
  });

  it("replaces the table's rows with the run's, keeping the table's own indexes", async () => {
    const first = await stage({ id: "integer", v: "string" }, [{ id: 1, v: "a" }, { id: 2, v: "b" }]);
    await load({ table: "snapshot", mode: "replace", key: ["id"] }, first, RUN_1);
    await db.pool.query("CREATE INDEX snapshot_v ON snapshot (v)");
    const second = await stage({ id: "integer", v: "string" }, [{ id: 3, v: "c" }, { id: 3, v: "c2" }], [5, 6]);
    const result = await load({ table: "snapshot", mode: "replace", key: ["id"] }, second, RUN_2);
    expect(result).toMatchObject({ rowsIn: 2, rowsWritten: 1, rowsUnchanged: 0, created: false });
    expect(result.log).toContain('Emptied "public"."snapshot"');
    expect(await contents("public", "snapshot", ["id"])).toEqual([{ id: 3, v: "c2", _sluice_lineage_id: lineage(6), _sluice_run_id: RUN_2 }]);
    const indexes = await db.pool.query("SELECT indexname FROM pg_indexes WHERE tablename = 'snapshot' ORDER BY 1");
    expect(indexes.rows.map((r) => r.indexname)).toEqual(["snapshot_pkey", "snapshot_v"]);
  });

  it("replaces without a key, keeping every row", async () => {
    const input = await stage({ id: "integer" }, [{ id: 1 }, { id: 1 }]);
    await load({ table: "replace_keyless", mode: "replace" }, input, RUN_1);
    const result = await load({ table: "replace_keyless", mode: "replace" }, input, RUN_2);
    expect(result).toMatchObject({ rowsIn: 2, rowsWritten: 2 });
    expect(await contents("public", "replace_keyless", ["id"])).toMatchObject([{ _sluice_run_id: RUN_2 }, { _sluice_run_id: RUN_2 }]);
  });
});

describe("destination.postgres: an existing table that does not fit", () => {
  it("gains incoming columns it lacks as nullable columns", async () => {
    const first = await stage({ id: "integer" }, [{ id: 1 }]);
    await load({ table: "growing", key: ["id"] }, first, RUN_1);
    const second = await stage({ id: "integer", note: "string", n: "number" }, [{ id: 2, note: "new", n: 1.5 }]);
    const result = await load({ table: "growing", key: ["id"] }, second, RUN_2);
    expect(result.log).toContain('Added "note" (text), "n" (double precision) to "public"."growing"');
    expect(await contents("public", "growing", ["id"])).toMatchObject([
      { id: 1, note: null, n: null },
      { id: 2, note: "new", n: 1.5 },
    ]);
  });

  it("refuses a column of another type, naming the column, both types and the fix", async () => {
    await db.pool.query("CREATE TABLE typed (id bigint PRIMARY KEY, amount integer, label varchar(10), total numeric)");
    const input = await stage({ id: "integer", amount: "number", label: "string", total: "integer" }, [{ id: 1, amount: 1.5, label: "x", total: 3 }]);
    const error = await loadError({ table: "typed", key: ["id"] }, input);
    expect(error.message).toContain('column "amount" of "public"."typed" is integer, but the incoming column is number (double precision)');
    expect(error.message).toContain('column "label" of "public"."typed" is character varying(10), but the incoming column is string (text)');
    expect(error.message).not.toContain('"total"');
  });

  it("refuses upsert without a unique index on exactly the key, and says how to add one", async () => {
    await db.pool.query("CREATE TABLE no_unique (id bigint, region text, v text, UNIQUE (id))");
    const input = await stage({ id: "integer", region: "string", v: "string" }, [{ id: 1, region: "n", v: "a" }]);
    const error = await loadError({ table: "no_unique", key: ["id", "region"] }, input);
    expect(error.message).toContain("has no primary key or unique index on exactly those columns (its unique keys: (id))");
    expect(error.message).toContain('CREATE UNIQUE INDEX ON "public"."no_unique" ("id", "region")');
  });

  it("refuses when the table requires a column the rows do not have", async () => {
    await db.pool.query("CREATE TABLE needs_more (id bigint PRIMARY KEY, owner text NOT NULL, created timestamptz NOT NULL DEFAULT now())");
    const input = await stage({ id: "integer" }, [{ id: 1 }]);
    const error = await loadError({ table: "needs_more", key: ["id"] }, input);
    expect(error.message).toContain('requires a value in "owner", which the incoming rows do not have');
    expect(error.message).not.toContain('"created"');
  });

  it("explains a NOT NULL column that an incoming row leaves empty", async () => {
    await db.pool.query("CREATE TABLE strict_cols (id bigint PRIMARY KEY, name text NOT NULL)");
    const input = await stage({ id: "integer", name: "string" }, [{ id: 1, name: null }]);
    const error = await loadError({ table: "strict_cols", key: ["id"] }, input);
    expect(error.message).toContain('column "name" of "public"."strict_cols" does not accept empty (NULL) values');
  });

  it("refuses a view", async () => {
    await db.pool.query("CREATE VIEW a_view AS SELECT 1 AS id");
    const input = await stage({ id: "integer" }, [{ id: 1 }]);
    const error = await loadError({ table: "a_view", mode: "append" }, input);
    expect(error.message).toBe('"public"."a_view" names an existing view, not a table: choose another table name');
  });

  it("refuses a key the rows do not have", async () => {
    const input = await stage({ id: "integer" }, [{ id: 1 }]);
    const error = await loadError({ table: "whatever", key: ["code"] }, input);
    expect(error.message).toContain('the key column "code" is not among the incoming columns ("id")');
  });
});

describe("destination.postgres: tables no pipeline may touch", () => {
  it("refuses Sluice's own tables, the job queue and the catalog, leaving them as they were", async () => {
    await db.pool.query("INSERT INTO worker_heartbeats (worker_id, process_id) VALUES ('real-worker', 'p1')");
    const forged = await stage({ worker_id: "string", process_id: "string" }, [{ worker_id: "forged", process_id: "x" }]);
    const error = await loadError({ table: "worker_heartbeats", mode: "replace" }, forged);
    expect(error.message).toBe(
      'Cannot load into "public"."worker_heartbeats": public.worker_heartbeats is one of Sluice\'s own tables: pipelines may not use it; choose another table name',
    );
    expect((await db.pool.query("SELECT worker_id FROM worker_heartbeats")).rows).toEqual([{ worker_id: "real-worker" }]);

    const tasks = Number((await db.pool.query("SELECT count(*) FROM graphile_worker._private_tasks")).rows[0].count);
    const queue = await loadError({ schema: "graphile_worker", table: "_private_tasks", mode: "replace" }, await stage({ identifier: "string" }, [{ identifier: "x" }]));
    expect(queue.message).toContain("graphile_worker._private_tasks is in the schema graphile_worker, Sluice's job queue");
    expect(Number((await db.pool.query("SELECT count(*) FROM graphile_worker._private_tasks")).rows[0].count)).toBe(tasks);

    const any = await stage({ id: "integer" }, [{ id: 1 }]);
    expect((await loadError({ schema: "pg_catalog", table: "pg_authid", mode: "append" }, any)).message).toContain("PostgreSQL's own catalog");
    expect((await loadError({ schema: "sluice_run_00000000000040008000000000000001", table: "src", mode: "append" }, any)).message).toContain(
      "where Sluice keeps runs and previews",
    );
    expect((await loadError({ table: "ApiToken", mode: "append" }, any)).message).toContain("one of Sluice's own tables");
  });
});

describe("destination.postgres: hostile names and values", () => {
  const hostile = { 'it\'s "quoted"': "string", "select": "integer", "a b; DROP TABLE x": "string", "n": "integer" } as const;
  const values = [
    { 'it\'s "quoted"': "'; DROP TABLE readings; --", select: 1, "a b; DROP TABLE x": "Robert'); DROP TABLE students;--", n: 1 },
    { 'it\'s "quoted"': "$1 \\ \" '' $$", select: 2, "a b; DROP TABLE x": null, n: 2 },
  ];

  it("loads through quoted identifiers and keeps values intact", async () => {
    await db.pool.query("CREATE TABLE students (id int)");
    const input = await stage(hostile, values);
    const config = { schema: 'my "schema"; --', table: "from", key: ["select", "n"] };
    expect(await load(config, input, RUN_1)).toMatchObject({ rowsWritten: 2, created: true });
    expect(await load(config, input, RUN_2)).toMatchObject({ rowsWritten: 0, rowsUnchanged: 2 });
    const changed = await stage(hostile, [{ ...values[0], "a b; DROP TABLE x": "changed" }]);
    expect(await load(config, changed, RUN_3)).toMatchObject({ rowsWritten: 1 });
    expect((await loadError({ ...config, mode: "append" }, input, RUN_3)).message).toContain('(Key ("select", n)=(1, 1) already exists.)');
    expect(await load({ ...config, mode: "replace" }, input, RUN_3)).toMatchObject({ rowsWritten: 2 });

    const rows = await contents('my "schema"; --', "from", ["select"]);
    expect(rows.map(({ _sluice_lineage_id, _sluice_run_id, ...rest }) => rest)).toEqual(values);
    const students = await db.pool.query("SELECT to_regclass('public.students') IS NOT NULL AS still_there");
    expect(students.rows[0].still_there).toBe(true);
  });
});

describe("destination.postgres: cancellation", () => {
  it("stops before the next statement once the signal is aborted", async () => {
    const input = await stage({ id: "integer" }, [{ id: 1 }]);
    const controller = new AbortController();
    controller.abort(new Error("run canceled"));
    await expect(load({ table: "canceled", mode: "append" }, input, RUN_1, controller.signal)).rejects.toThrow("run canceled");
    const found = await db.pool.query("SELECT to_regclass('public.canceled') AS t");
    expect(found.rows[0].t).toBeNull();
  });
});
