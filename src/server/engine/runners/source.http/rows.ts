/**
 * An API record as the columns of a source see it: a field by its name, or a nested field by
 * its dot path (address.city); scalars as their JSON text (strings unquoted), objects and
 * arrays as JSON. A record that is not an object cannot be read into columns.
 */
import type { Column } from "@/nodes/contract";
import { inferColumnType } from "@/nodes/values";
import { readPath } from "./records";

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

export function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why a record cannot be loaded at all, or null. */
export function recordProblem(record: unknown): string | null {
  return isRecordObject(record) ? null : `the record is ${kindOf(record)}, not a JSON object: ${JSON.stringify(record)?.slice(0, 200)}`;
}

/** A JSON value as the text a column loads; null and missing are NULL. */
export function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The value of the field a column names: a key spelled like the name wins over a dot path into nested objects. */
export function fieldOf(record: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : readPath(record, name);
}

/** The record's values for `columns`, by column name. */
export function columnValues(record: Record<string, unknown>, columns: readonly Column[]): Record<string, string | null> {
  const values: Record<string, string | null> = {};
  for (const column of columns) values[column.name] = textOf(fieldOf(record, column.name));
  return values;
}

/** Every leaf path of a record: nested objects opened up (a.b), arrays and scalars kept whole. */
export function leafFields(record: Record<string, unknown>, prefix = "", into = new Map<string, string | null>()): Map<string, string | null> {
  for (const [key, value] of Object.entries(record)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (isRecordObject(value) && Object.keys(value).length > 0) leafFields(value, path, into);
    else into.set(path, textOf(value));
  }
  return into;
}

/** Columns for records nobody described yet: their leaf fields in the order first met, types inferred from the values. */
export function inferColumns(records: readonly unknown[]): Column[] {
  const samples = new Map<string, (string | null)[]>();
  const rows = records.filter(isRecordObject).map((record) => leafFields(record));
  for (const row of rows) for (const name of row.keys()) if (!samples.has(name)) samples.set(name, []);
  for (const row of rows) for (const [name, values] of samples) values.push(row.get(name) ?? null);
  return [...samples].map(([name, values]) => ({ name, type: inferColumnType(values) }));
}

/** How many of a record's top-level fields no column reads (a column a.b reads the field a). */
export function unreadFieldCount(record: Record<string, unknown>, read: ReadonlySet<string>): number {
  let count = 0;
  for (const key of Object.keys(record)) if (!read.has(key)) count++;
  return count;
}

/** The top-level fields `columns` read. */
export function readFieldsOf(columns: readonly Column[]): Set<string> {
  return new Set(columns.flatMap((c) => [c.name, c.name.split(".")[0]!]));
}
