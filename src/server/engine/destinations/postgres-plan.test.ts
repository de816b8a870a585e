import { describe, expect, it } from "vitest";
import type { Column } from "@/nodes/contract";
import { inputProblems, newTableColumns, planExistingTable, type ExistingColumn, type ExistingTable } from "./postgres-plan";

const TABLE = '"public"."t"';

function column(name: string, type: string, extra: Partial<ExistingColumn> = {}): ExistingColumn {
  return { name, type, notNull: false, hasDefault: false, generated: false, ...extra };
}

const lineageColumns = [column("_sluice_lineage_id", "text", { notNull: true }), column("_sluice_run_id", "uuid", { notNull: true })];

function table(columns: ExistingColumn[], uniqueIndexes: string[][] = []): ExistingTable {
  return { columns, uniqueIndexes: uniqueIndexes.map((cols, i) => ({ name: `idx_${i}`, columns: cols })) };
}

describe("newTableColumns", () => {
  it("maps every column type and appends lineage and run id", () => {
    const columns: Column[] = [
      { name: "s", type: "string" },
      { name: "i", type: "integer" },
      { name: "n", type: "number" },
      { name: "b", type: "boolean" },
      { name: "d", type: "date" },
      { name: "t", type: "timestamp" },
      { name: "j", type: "json" },
    ];
    expect(newTableColumns(columns).map((c) => `${c.name} ${c.type}${c.notNull ? " NOT NULL" : ""}`)).toEqual([
      "s text",
      "i bigint",
      "n double precision",
      "b boolean",
      "d date",
      "t timestamptz",
      "j jsonb",
      "_sluice_lineage_id text NOT NULL",
      "_sluice_run_id uuid NOT NULL",
    ]);
  });
});

describe("inputProblems", () => {
  const columns: Column[] = [
    { name: "id", type: "integer" },
    { name: "name", type: "string" },
  ];

  it("accepts a key among the incoming columns", () => {
    expect(inputProblems(columns, "upsert", ["id"])).toEqual([]);
  });

  it("names key columns the rows lack", () => {
    expect(inputProblems(columns, "upsert", ["id", "code", "region"])).toEqual([
      'the key columns "code", "region" are not among the incoming columns ("id", "name")',
    ]);
    expect(inputProblems(columns, "replace", ["code"])).toEqual(['the key column "code" is not among the incoming columns ("id", "name")']);
  });

  it("ignores the key in append mode", () => {
    expect(inputProblems(columns, "append", ["code"])).toEqual([]);
  });

  it("needs a key for upsert", () => {
    expect(inputProblems(columns, "upsert", [])).toEqual(["upsert needs at least one key column: set Key columns, or choose append or replace"]);
  });

  it("refuses repeated and reserved incoming names", () => {
    const bad: Column[] = [
      { name: "a", type: "string" },
      { name: "a", type: "integer" },
      { name: "_sluice_lineage_id", type: "string" },
    ];
    expect(inputProblems(bad, "append", [])).toEqual([
      'the incoming rows have two columns named "a"',
      'the incoming column "_sluice_lineage_id" uses the reserved prefix _sluice_: rename it upstream',
    ]);
  });
});

describe("planExistingTable", () => {
  const incoming: Column[] = [
    { name: "id", type: "integer" },
    { name: "label", type: "string" },
    { name: "at", type: "timestamp" },
  ];

  it("accepts a table Sluice created", () => {
    const existing = table(
      [column("id", "bigint", { notNull: true }), column("label", "text"), column("at", "timestamp with time zone"), ...lineageColumns],
      [["id"]],
    );
    expect(planExistingTable(existing, TABLE, incoming, "upsert", ["id"])).toEqual({ addColumns: [], problems: [] });
  });

  it("adds missing incoming and lineage columns as nullable columns", () => {
    const existing = table([column("id", "bigint")], [["id"]]);
    expect(planExistingTable(existing, TABLE, incoming, "upsert", ["id"])).toEqual({
      addColumns: [
        { name: "label", type: "text", notNull: false },
        { name: "at", type: "timestamptz", notNull: false },
        { name: "_sluice_lineage_id", type: "text", notNull: false },
        { name: "_sluice_run_id", type: "uuid", notNull: false },
      ],
      problems: [],
    });
  });

  it("accepts lossless wider types: integers into numeric, text into unbounded varchar", () => {
    const existing = table([column("id", "numeric"), column("label", "character varying"), column("at", "timestamp with time zone"), ...lineageColumns]);
    expect(planExistingTable(existing, TABLE, incoming, "append", []).problems).toEqual([]);
  });

  it("names the column, the table's type and the incoming type of a mismatch", () => {
    const existing = table([
      column("id", "integer"),
      column("label", "character varying(20)"),
      column("at", "timestamp without time zone"),
      ...lineageColumns,
    ]);
    expect(planExistingTable(existing, TABLE, incoming, "append", []).problems).toEqual([
      'column "id" of "public"."t" is integer, but the incoming column is integer (bigint): change the column\'s type (ALTER TABLE … ALTER COLUMN … TYPE bigint) or convert the value upstream',
      'column "label" of "public"."t" is character varying(20), but the incoming column is string (text): change the column\'s type (ALTER TABLE … ALTER COLUMN … TYPE text) or convert the value upstream',
      'column "at" of "public"."t" is timestamp without time zone, but the incoming column is timestamp (timestamptz): change the column\'s type (ALTER TABLE … ALTER COLUMN … TYPE timestamptz) or convert the value upstream',
    ]);
  });

  it("refuses lineage columns of another type and generated columns", () => {
    const existing = table([
      column("id", "bigint"),
      column("label", "text", { generated: true }),
      column("at", "timestamp with time zone"),
      column("_sluice_lineage_id", "bigint"),
      column("_sluice_run_id", "uuid"),
    ]);
    expect(planExistingTable(existing, TABLE, incoming, "append", []).problems).toEqual([
      'column "label" of "public"."t" is a generated column and cannot be written: rename or drop the incoming column',
      'column "_sluice_lineage_id" of "public"."t" is bigint; Sluice writes text there: change its type or drop it',
    ]);
  });

  it("refuses a required column the rows cannot fill, unless a default fills it", () => {
    const existing = table([
      column("id", "bigint"),
      column("owner", "text", { notNull: true }),
      column("tenant", "text", { notNull: true }),
      column("created", "timestamp with time zone", { notNull: true, hasDefault: true }),
      ...lineageColumns,
    ]);
    expect(planExistingTable(existing, TABLE, incoming, "append", []).problems).toEqual([
      '"public"."t" requires a value in "owner", "tenant", which the incoming rows do not have: add those columns upstream, or give them a default or drop NOT NULL',
    ]);
  });

  it("requires, for upsert, a unique index on exactly the key, in any column order", () => {
    const columns = [column("id", "bigint"), column("label", "text"), column("at", "timestamp with time zone"), ...lineageColumns];
    expect(planExistingTable(table(columns, [["at", "id"]]), TABLE, incoming, "upsert", ["id", "at"]).problems).toEqual([]);
    expect(planExistingTable(table(columns, [["id"], ["label", "at"]]), TABLE, incoming, "upsert", ["id", "at"]).problems).toEqual([
      'upsert matches rows by the key (id, at), but "public"."t" has no primary key or unique index on exactly those columns ' +
        '(its unique keys: (id), (label, at)): set Key columns to one of its unique keys, or add one with CREATE UNIQUE INDEX ON "public"."t" ("id", "at")',
    ]);
    expect(planExistingTable(table(columns), TABLE, incoming, "replace", ["id"]).problems).toEqual([]);
  });
});
