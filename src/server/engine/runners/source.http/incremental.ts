/**
 * The incremental cursor of an API source: the highest value of a growing field (an id, an
 * `updated_at`) among the records a run read. The next run sends it as a request parameter.
 * Values are compared as numbers when both are numbers, as instants when both are dates,
 * and as text otherwise; the value kept is the record's own text, sent back as it came.
 */
import { readPath } from "./records";

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
// A date needs a year-month-day shape: Date.parse alone would read "7" as a year.
const DATE = /^\d{4}-\d{2}-\d{2}/;

function compare(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Number(a) - Number(b);
  if (DATE.test(a) && DATE.test(b)) {
    const at = Date.parse(a);
    const bt = Date.parse(b);
    if (!Number.isNaN(at) && !Number.isNaN(bt) && at !== bt) return at - bt;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The cursor text of one record's `field`, or undefined when it has none usable (missing, null, an object). */
export function cursorValueOf(record: unknown, field: string): string | undefined {
  const value = readPath(record, field);
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The higher of a highest-so-far and a new value. */
export function higherCursor(current: string | undefined, value: string | undefined): string | undefined {
  if (value === undefined) return current;
  if (current === undefined) return value;
  return compare(value, current) > 0 ? value : current;
}
