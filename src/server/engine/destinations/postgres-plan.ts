/**
 * Decides, without touching the database, whether incoming rows fit an existing
 * destination table and what has to change first. Kept pure so every rule (type
 * compatibility, added columns, the unique index upsert needs) has a fast unit test.
 */
import { LINEAGE_COLUMN, RESERVED_COLUMN_PREFIX, RUN_COLUMN, type Column, type TColumnType } from "@/nodes/contract";
import { ident } from "@/nodes/sql";
import { PG_TYPES } from "@/nodes/values";

export type TWriteMode = "append" | "upsert" | "replace";

/** A column of an existing table, as `pg_attribute` describes it. */
export interface ExistingColumn {
  name: string;
  /** `format_type()` text: "bigint", "timestamp with time zone", "character varying(20)"… */
  type: string;
  notNull: boolean;
  /** A default or identity fills it when an INSERT leaves it out. */
  hasDefault: boolean;
  /** A generated column: it cannot be written at all. */
  generated: boolean;
}

/** A unique index usable for matching rows: no predicate, no expressions. */
export interface ExistingUniqueIndex {
  name: string;
  columns: string[];
}

export interface ExistingTable {
  columns: ExistingColumn[];
  uniqueIndexes: ExistingUniqueIndex[];
}

export interface ColumnDefinition {
  name: string;
  /** PostgreSQL type for DDL, from this codebase (never user text). */
  type: string;
  notNull: boolean;
}

/**
 * Table types each column type loads into without loss. The first is the one Sluice
 * creates. `numeric` takes integers exactly; it is not offered for `number` because
 * double precision → numeric keeps only 15 digits, so a rerun would see every row as changed.
 */
const COMPATIBLE_TYPES: Record<TColumnType, readonly string[]> = {
  string: ["text", "character varying"],
  integer: ["bigint", "numeric"],
  number: ["double precision"],
  boolean: ["boolean"],
  date: ["date"],
  timestamp: ["timestamp with time zone"],
  json: ["jsonb"],
};

const SYSTEM_COLUMNS: readonly ColumnDefinition[] = [
  { name: LINEAGE_COLUMN, type: "text", notNull: true },
  { name: RUN_COLUMN, type: "uuid", notNull: true },
];

/** Human-readable type of an incoming column, as a message shows it. */
function incomingType(column: Column): string {
  return `${column.type} (${PG_TYPES[column.type]})`;
}

/** The table Sluice creates for `columns`: user columns in order, then lineage and run id. */
export function newTableColumns(columns: readonly Column[]): ColumnDefinition[] {
  return [...columns.map((c) => ({ name: c.name, type: PG_TYPES[c.type], notNull: false })), ...SYSTEM_COLUMNS];
}

/** Problems with the incoming relation or the config that no table could fix. */
export function inputProblems(columns: readonly Column[], mode: TWriteMode, key: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) problems.push(`the incoming rows have two columns named "${column.name}"`);
    seen.add(column.name);
    if (column.name.startsWith(RESERVED_COLUMN_PREFIX))
      problems.push(`the incoming column "${column.name}" uses the reserved prefix ${RESERVED_COLUMN_PREFIX}: rename it upstream`);
  }
  if (mode === "upsert" && key.length === 0)
    problems.push("upsert needs at least one key column: set Key columns, or choose append or replace");
  if (mode !== "append") {
    const missing = key.filter((k) => !seen.has(k));
    if (missing.length > 0)
      problems.push(
        `the key ${plural(missing.length, "column")} ${names(missing)} ${missing.length === 1 ? "is" : "are"} not among the incoming columns (${names(columns.map((c) => c.name))})`,
      );
    if (new Set(key).size !== key.length) problems.push(`the key names a column twice: ${names(key)}`);
  }
  return problems;
}

export interface TablePlan {
  /** Columns to add (nullable) before loading. */
  addColumns: ColumnDefinition[];
  /** Why the rows cannot be loaded; empty when they can. */
  problems: string[];
}

/**
 * Checks an existing table against the incoming columns. Incoming columns the table lacks
 * are added as nullable columns (a pipeline that gains a column keeps loading; older rows
 * read NULL), and so are the lineage and run id columns of a table Sluice did not create.
 * Everything else that does not fit is a problem naming the column and the fix.
 */
export function planExistingTable(
  table: ExistingTable,
  tableName: string,
  columns: readonly Column[],
  mode: TWriteMode,
  key: readonly string[],
): TablePlan {
  const existing = new Map(table.columns.map((c) => [c.name, c]));
  const addColumns: ColumnDefinition[] = [];
  const problems: string[] = [];

  for (const column of columns) {
    const found = existing.get(column.name);
    if (!found) addColumns.push({ name: column.name, type: PG_TYPES[column.type], notNull: false });
    else if (found.generated)
      problems.push(`column "${column.name}" of ${tableName} is a generated column and cannot be written: rename or drop the incoming column`);
    else if (!COMPATIBLE_TYPES[column.type].includes(found.type))
      problems.push(
        `column "${column.name}" of ${tableName} is ${found.type}, but the incoming column is ${incomingType(column)}: ` +
          `change the column's type (ALTER TABLE … ALTER COLUMN … TYPE ${PG_TYPES[column.type]}) or convert the value upstream`,
      );
  }
  for (const system of SYSTEM_COLUMNS) {
    const found = existing.get(system.name);
    if (!found) addColumns.push({ ...system, notNull: false });
    else if (found.type !== system.type)
      problems.push(`column "${system.name}" of ${tableName} is ${found.type}; Sluice writes ${system.type} there: change its type or drop it`);
  }

  const incoming = new Set([...columns.map((c) => c.name), ...SYSTEM_COLUMNS.map((c) => c.name)]);
  const unfillable = table.columns.filter((c) => c.notNull && !c.hasDefault && !c.generated && !incoming.has(c.name));
  if (unfillable.length > 0)
    problems.push(
      `${tableName} requires a value in ${names(unfillable.map((c) => c.name))}, which the incoming rows do not have: ` +
        `add ${unfillable.length === 1 ? "that column" : "those columns"} upstream, or give ${unfillable.length === 1 ? "it" : "them"} a default or drop NOT NULL`,
    );

  if (mode === "upsert" && !table.uniqueIndexes.some((index) => sameSet(index.columns, key))) {
    const existingKeys = table.uniqueIndexes.map((index) => `(${index.columns.join(", ")})`);
    problems.push(
      `upsert matches rows by the key (${key.join(", ")}), but ${tableName} has no primary key or unique index on exactly those columns` +
        (existingKeys.length > 0 ? ` (its unique keys: ${existingKeys.join(", ")})` : "") +
        `: set Key columns to one of its unique keys, or add one with ` +
        `CREATE UNIQUE INDEX ON ${tableName} (${key.map((k) => ident(k).quoted).join(", ")})`,
    );
  }
  return { addColumns, problems };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function names(list: readonly string[]): string {
  return list.map((n) => `"${n}"`).join(", ");
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
