/**
 * What the validate node's rules mean, in JavaScript: the streaming validator runs these
 * per field while bytes pass through Node, the quarantine screen and the editor preview
 * re-check single records. The SQL compiler (src/server/engine/validate) implements the
 * same semantics and messages; tests run both on the same values.
 *
 * Semantics shared by every rule:
 * - Values are texts; null and "" are a missing value. Only `required` looks at missing
 *   values, every other rule passes them.
 * - A value that is not of the field's type fails `type` only: the other rules compare
 *   typed values, so they pass a value they cannot read (one violation, not five).
 * - min/max compare numerically for integer and number fields (exactly, also beyond
 *   2^53), by calendar for dates and by instant for timestamps (offsets applied).
 * - minLength/maxLength count characters (Unicode code points, as PostgreSQL does).
 * - pattern must match the whole value (see ./pattern.ts for the dialect).
 * - oneOf compares as the field's type: for an integer field "007" equals 7.
 */
import type { Column, TColumnType } from "../contract";
import { parseValue, showValue, violationMessage } from "../values";
import {
  boundValue,
  effectiveType,
  isOrderedType,
  oneOfValue,
  ruleTypeProblems,
  timestampInstant,
  type TOrderedType,
  type TRule,
  type TValidateConfig,
} from "./config";
import { compilePattern } from "./pattern";

export const VIOLATION_RULES = [
  "type",
  "required",
  "min",
  "max",
  "minLength",
  "maxLength",
  "pattern",
  "oneOf",
  "unique",
  "references",
  "unknownField",
  "columnCount",
  "encoding",
] as const;
export type TViolationRule = (typeof VIOLATION_RULES)[number];

/** One broken rule of one record, as quarantine stores it (public API shape). */
export interface Violation {
  field: string;
  rule: TViolationRule;
  /** The field's text value (null when missing). */
  value: string | null;
  /** For people, starting with the field name: `aqi: 612 is above the maximum 500`. */
  message: string;
}

/** A compiled per-field check: returns the violation message, or null when the value passes. */
export interface FieldCheck {
  rule: TViolationRule;
  check: (value: string | null) => string | null;
}

/** A rule that cannot be compiled for its field's type (outputSchema reports these first). */
export class RuleError extends Error {}

/** Longest value shown unquoted in messages; longer ones are cut with "…" as showValue does. */
export const MAX_SHOWN_CHARS = 60;

/** A valid number, date or timestamp as shown in a message: as written, cut when long. */
export function showPlain(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

/** Characters in a text: code points, not UTF-16 units (PostgreSQL's char_length). */
export function characterCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** The wording of each bound check, shared with SQL so both produce the same messages. */
export function boundWords(type: TOrderedType, key: "min" | "max"): string {
  const calendar = type === "date" || type === "timestamp";
  if (key === "min") return calendar ? "is before the minimum" : "is below the minimum";
  return calendar ? "is after the maximum" : "is above the maximum";
}

/** How a `oneOf` list reads in messages: the first ten entries, quoted. */
export function oneOfList(rule: TRule): string {
  const entries = (rule.oneOf ?? []).map((entry) => JSON.stringify(typeof entry === "string" ? entry : String(entry)));
  return entries.length > 10 ? `${entries.slice(0, 10).join(", ")}, … (${entries.length} in all)` : entries.join(", ");
}

/** Ends of the set-based rules' messages (`field: "value"` + this), written by SQL only. */
export const SET_RULE_WORDS = {
  unique: " already appeared on an earlier record of this run",
  references: (target: string) => ` does not exist in ${target}`,
};

export const MESSAGES = {
  required: (field: string) => violationMessage(field, "required value is missing"),
  bound: (field: string, value: string, words: string, bound: string | number) =>
    violationMessage(field, `${showPlain(value)} ${words} ${bound}`),
  minLength: (field: string, value: string, count: number, limit: number) =>
    violationMessage(field, `${showValue(value)} has ${count} characters, fewer than the minimum length ${limit}`),
  maxLength: (field: string, value: string, count: number, limit: number) =>
    violationMessage(field, `${showValue(value)} has ${count} characters, more than the maximum length ${limit}`),
  pattern: (field: string, value: string, source: string) =>
    violationMessage(field, `${showValue(value)} does not match the pattern ${source}`),
  oneOf: (field: string, value: string, list: string) =>
    violationMessage(field, `${showValue(value)} is not one of ${list}`),
  unknownField: (field: string) =>
    violationMessage(field, `the field has no rule and unknown fields are rejected`),
};

/** Compares a valid text of `type` with a bound: negative, zero or positive. NaN when the text is not valid. */
const INTEGER_TEXT = /^[+-]?[0-9]+$/;
const NUMBER_TEXT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

function comparator(type: TOrderedType, bound: number | string): (text: string) => number {
  switch (type) {
    case "integer": {
      const limit = Number(bound);
      return (text) => {
        // Hot path (every record of a streamed file): up to 15 digits a double holds the
        // value exactly, so no bigint and no result object. An unreadable text gives NaN.
        if (text.length <= 15 && INTEGER_TEXT.test(text)) {
          const value = Number(text);
          return value < limit ? -1 : value > limit ? 1 : 0;
        }
        const parsed = parseValue("integer", text);
        if (!parsed.ok || parsed.value === null) return Number.NaN;
        // bigint-to-number comparison is exact in JavaScript, also past 2^53.
        return parsed.value < limit ? -1 : parsed.value > limit ? 1 : 0;
      };
    }
    case "number": {
      const limit = Number(bound);
      return (text) => {
        // Number() reads every text the number format accepts; the format check rejects the
        // rest (whitespace, hex, Infinity) before a bound is checked, but keep NaN for them.
        const value = NUMBER_TEXT.test(text) ? Number(text) : Number.NaN;
        return value < limit ? -1 : value > limit ? 1 : value === limit ? 0 : Number.NaN;
      };
    }
    case "date": {
      const limit = String(bound);
      return (text) => {
        if (!parseValue("date", text).ok) return Number.NaN;
        return text < limit ? -1 : text > limit ? 1 : 0;
      };
    }
    case "timestamp": {
      const limit = timestampInstant(String(bound));
      if (!limit) throw new RuleError(`${JSON.stringify(bound)} is not a timestamp`);
      return (text) => {
        const instant = timestampInstant(text);
        if (!instant) return Number.NaN;
        return Math.sign(instant.seconds - limit.seconds || instant.micros - limit.micros);
      };
    }
  }
}

function membership(type: TColumnType, rule: TRule): (text: string) => boolean {
  const entries = rule.oneOf ?? [];
  if (type === "string") {
    const allowed = new Set(entries.map((e) => (typeof e === "string" ? e : String(e))));
    return (text) => allowed.has(text);
  }
  const allowed = new Set<unknown>(entries.map((e) => oneOfValue(type, e)));
  return (text) => {
    const parsed = parseValue(type, text);
    // An unreadable value is the type rule's violation, not this one's.
    return !parsed.ok || allowed.has(parsed.value);
  };
}

/**
 * The checks of one rule other than `type`, `unique` and `references`, for a field of
 * `columnType` (the rule's `type`, else the incoming column's). Each check gets the
 * field's text and returns a message or null. Built once per field; throws
 * {@link RuleError} when the rule does not fit the type.
 */
export function compileFieldChecks(rule: TRule, columnType: TColumnType): FieldCheck[] {
  const problems = ruleTypeProblems(rule, columnType);
  if (problems.length > 0) {
    throw new RuleError(`Rule for "${rule.field}": ${problems.map((p) => p.message).join("; ")}`);
  }
  const field = rule.field;
  const checks: FieldCheck[] = [];
  if (rule.required) {
    const message = MESSAGES.required(field);
    checks.push({ rule: "required", check: (value) => (value === null || value === "" ? message : null) });
  }
  if (isOrderedType(columnType)) {
    for (const key of ["min", "max"] as const) {
      const bound = rule[key];
      if (bound === undefined) continue;
      const typed = boundValue(columnType, bound);
      if (typed === null) throw new RuleError(`Rule for "${field}": ${key} does not fit the type ${columnType}`);
      const compare = comparator(columnType, typed);
      const words = boundWords(columnType, key);
      // NaN (an unreadable value) compares false both ways, so it passes here.
      const fails = key === "min" ? (c: number) => c < 0 : (c: number) => c > 0;
      checks.push({
        rule: key,
        check: (value) => (value === null || value === "" || !fails(compare(value)) ? null : MESSAGES.bound(field, value, words, bound)),
      });
    }
  }
  const { minLength, maxLength } = rule;
  if (minLength !== undefined) {
    checks.push({
      rule: "minLength",
      check: (value) => {
        // A code point is at most two UTF-16 units: a text this long needs no counting.
        if (value === null || value === "" || value.length >= 2 * minLength) return null;
        const count = characterCount(value);
        return count < minLength ? MESSAGES.minLength(field, value, count, minLength) : null;
      },
    });
  }
  if (maxLength !== undefined) {
    checks.push({
      rule: "maxLength",
      check: (value) => {
        if (value === null || value === "" || value.length <= maxLength) return null;
        const count = characterCount(value);
        return count > maxLength ? MESSAGES.maxLength(field, value, count, maxLength) : null;
      },
    });
  }
  if (rule.pattern !== undefined) {
    const { test, source } = compilePattern(rule.pattern);
    checks.push({
      rule: "pattern",
      check: (value) => (value === null || value === "" || test(value) ? null : MESSAGES.pattern(field, value, source)),
    });
  }
  if (rule.oneOf !== undefined) {
    const isAllowed = membership(columnType, rule);
    const list = oneOfList(rule);
    checks.push({
      rule: "oneOf",
      check: (value) => (value === null || value === "" || isAllowed(value) ? null : MESSAGES.oneOf(field, value, list)),
    });
  }
  return checks;
}

/** The type check of a field: the message of the value format it breaks, or null. */
export function compileTypeCheck(field: string, type: TColumnType): FieldCheck {
  return {
    rule: "type",
    check: (value) => {
      const parsed = parseValue(type, value);
      return parsed.ok ? null : violationMessage(field, parsed.message);
    },
  };
}

export type RecordValidator = (record: Readonly<Record<string, string | null>>) => Violation[];

/**
 * Compiles the rules of a config for records arriving with `inputColumns` into a function
 * returning every violation of one record except `unique` and `references` (which need
 * the other records and the database). Order: rules in config order, each rule's checks
 * in the order required, type, min, max, minLength, maxLength, pattern, oneOf; then
 * unknown fields in input column order (then any other keys of the record).
 */
export function compileRecordValidator(config: TValidateConfig, inputColumns: readonly Column[]): RecordValidator {
  const incoming = new Map(inputColumns.map((c) => [c.name, c.type]));
  const fields = config.rules.map((rule) => {
    const type = effectiveType(rule, incoming.get(rule.field));
    const checks = compileFieldChecks(rule, type);
    const typeCheck = compileTypeCheck(rule.field, type);
    const requiredFirst = checks[0]?.rule === "required" ? 1 : 0;
    checks.splice(requiredFirst, 0, typeCheck);
    return { field: rule.field, checks };
  });
  const ruled = new Set(config.rules.map((r) => r.field));
  const unknownOrder = inputColumns.map((c) => c.name).filter((name) => !ruled.has(name));
  const rejectUnknown = config.unknownFields === "reject";
  return (record) => {
    const violations: Violation[] = [];
    for (const { field, checks } of fields) {
      const value = record[field] ?? null;
      for (const { rule, check } of checks) {
        const message = check(value);
        if (message !== null) violations.push({ field, rule, value, message });
      }
    }
    if (rejectUnknown) {
      const reject = (field: string) => {
        const value = record[field] ?? null;
        if (value !== null && value !== "") {
          violations.push({ field, rule: "unknownField", value, message: MESSAGES.unknownField(field) });
        }
      };
      unknownOrder.forEach(reject);
      for (const field of Object.keys(record)) {
        if (!ruled.has(field) && !incoming.has(field)) reject(field);
      }
    }
    return violations;
  };
}

/**
 * Every violation of one record except `unique` and `references`. For the quarantine
 * screen and the editor preview; compile once with {@link compileRecordValidator} to
 * check many records.
 */
export function validateRecord(
  record: Readonly<Record<string, string | null>>,
  config: TValidateConfig,
  inputColumns: readonly Column[],
): Violation[] {
  return compileRecordValidator(config, inputColumns)(record);
}
