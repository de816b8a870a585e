/**
 * Types of expression parts while an expression is checked and turned into SQL, and the
 * rules for making operands agree (an integer meets a number, a quoted text meets a date).
 */
import type { TColumnType } from "../contract";
import { param, sql, type Sql } from "../sql";
import { parseValue, type TTypedValues } from "../values";
import { convert, pgType } from "./conversions";

/** `null`: the NULL literal, which takes any type. `error`: already reported, stays quiet. */
export type ExprType = TColumnType | "null" | "error";

export interface Span {
  start: number;
  end: number;
}

/** A checked part of an expression: its SQL, always of the PostgreSQL type of `type`. */
export interface Typed extends Span {
  sql: Sql;
  type: ExprType;
  /** The text of a quoted literal: it adapts to the type it meets ('2024-01-31' against a date). */
  literal?: string;
}

export interface ExpressionError {
  message: string;
  /** Where the problem is, in UTF-16 code units from the start of the expression. */
  offset: number;
  length: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

const TYPE_NAMES: Record<ExprType, string> = {
  string: "text",
  integer: "an integer",
  number: "a number",
  boolean: "true/false",
  date: "a date",
  timestamp: "a timestamp",
  json: "JSON",
  null: "NULL",
  error: "an error",
};

/** "an integer", "a date": for messages. */
export function describeType(type: ExprType): string {
  return TYPE_NAMES[type];
}

export function isNumeric(type: ExprType): type is "integer" | "number" {
  return type === "integer" || type === "number";
}

/** Collects problems and applies the typing rules. */
export class Checker {
  readonly errors: ExpressionError[] = [];

  constructor(private readonly text: string) {}

  /** Records a problem at `at` and returns a placeholder that keeps later checks quiet. */
  fail(at: Span, message: string): Typed {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at.start && i < this.text.length; i++) {
      if (this.text[i] === "\n") {
        line++;
        lineStart = i + 1;
      }
    }
    this.errors.push({
      message,
      offset: at.start,
      length: Math.max(0, at.end - at.start),
      line,
      column: at.start - lineStart + 1,
    });
    return { sql: sql`NULL`, type: "error", start: at.start, end: at.end };
  }

  /**
   * `value` as type `to`, or undefined when it cannot be: NULL takes any type, an integer
   * widens to a number, a date to its midnight in UTC, a quoted literal is read as a value of
   * `to` (and must be valid).
   */
  coerce(value: Typed, to: TColumnType): Typed | undefined {
    if (value.type === "error" || value.type === to) return value;
    const span = { start: value.start, end: value.end };
    if (value.type === "null") return { ...span, sql: sql`CAST(NULL AS ${pgType(to)})`, type: to };
    if (value.type === "integer" && to === "number") {
      return { ...span, sql: sql`CAST(${value.sql} AS double precision)`, type: to };
    }
    if (value.type === "date" && to === "timestamp") return { ...span, sql: convert(value.sql, "date", to, ""), type: to };
    if (value.literal === undefined) return undefined;
    const parsed = parseValue(to, value.literal);
    if (!parsed.ok) return this.fail(span, `${parsed.message}, so it cannot be used as ${describeType(to)} here.`);
    return { ...span, sql: literalSql(to, parsed.value, value.literal), type: to };
  }

  /** Like {@link coerce}, reporting `what` needs one of `types` when it cannot. */
  expect(value: Typed, types: readonly TColumnType[], what: string): Typed {
    if (value.type === "error") return value;
    if (value.type !== "null" && types.some((t) => t === value.type)) return value;
    const wanted = types.map(describeType).join(" or ");
    const [first] = types;
    if (value.type === "null" && first) return this.coerce(value, first) ?? value;
    if (value.literal !== undefined) {
      const literal = value.literal;
      const fits = types.find((t) => parseValue(t, literal).ok);
      if (fits) return this.coerce(value, fits) ?? value;
      return this.fail(value, `${what} needs ${wanted}, but ${JSON.stringify(literal)} is not one.`);
    }
    if (value.type === "integer" && types.includes("number")) return this.coerce(value, "number") ?? value;
    return this.fail(value, `${what} needs ${wanted}, but this is ${describeType(value.type)}.`);
  }

  /**
   * The common type of values that meet (compared, or alternatives of CASE/COALESCE), and
   * the values converted to it. Undefined (with a reported problem) when they cannot agree;
   * type "null" when every value is NULL.
   */
  unify(values: readonly Typed[], what: string): { type: ExprType; values: Typed[] } | undefined {
    if (values.some((v) => v.type === "error")) return { type: "error", values: [...values] };
    const fixed = new Set<ExprType>(
      values.filter((v) => v.type !== "null" && v.literal === undefined).map((v) => v.type),
    );
    if (fixed.has("integer") && fixed.has("number")) fixed.delete("integer");
    if (fixed.has("date") && fixed.has("timestamp")) fixed.delete("date");
    if (fixed.size > 1) {
      const [first, second] = [...fixed];
      const culprit = values.find((v) => v.type === second) ?? values[values.length - 1];
      if (culprit && first && second) {
        this.fail(culprit, `${what} mixes ${describeType(first)} and ${describeType(second)}; convert one with CAST(… AS type).`);
      }
      return undefined;
    }
    const [only] = fixed;
    const type: ExprType = only ?? (values.some((v) => v.literal !== undefined) ? "string" : "null");
    if (type === "null" || type === "error") return { type, values: [...values] };
    const converted = values.map((v) => this.coerce(v, type) ?? this.fail(v, `${what}: cannot use ${describeType(v.type)} as ${describeType(type)}.`));
    return { type: converted.some((v) => v.type === "error") ? "error" : type, values: converted };
  }
}

/** A validated literal value as SQL: a parameter cast to the column type's PostgreSQL type. */
function literalSql<T extends TColumnType>(type: T, value: TTypedValues[T] | null, original: string): Sql {
  if (value === null) return sql`CAST(NULL AS ${pgType(type)})`;
  // Timestamps are now ISO 8601 in UTC, so the session's TimeZone cannot change them; JSON
  // keeps its text because a JavaScript number would round big numbers.
  const text = type === "json" ? original : String(value);
  return sql`CAST(${param(text)} AS ${pgType(type)})`;
}
