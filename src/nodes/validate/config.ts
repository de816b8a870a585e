/**
 * The validate node's config (part of the public pipeline format: keep the keys) and the
 * checks of a rule against its field's type, shared by `outputSchema`, the JavaScript
 * validator and the SQL compiler.
 */
import { z } from "zod";
import { RESERVED_COLUMN_PREFIX, ZColumnType, type ConfigProblem, type TColumnType } from "../contract";
import { identifierProblem } from "../sql";
import { parseTimestampParts, parseValue, secondsSince2000, type TTypedValues } from "../values";
import { patternProblem } from "./pattern";

const ZIdentifier = (what: string) =>
  z.string().superRefine((name, ctx) => {
    const problem = identifierProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: `${what} ${JSON.stringify(name)} is not usable: ${problem}` });
  });

const ZBound = z.union([z.number(), z.string()]);

export const ZRule = z
  .object({
    field: ZIdentifier("the field name")
      .refine((name) => !name.startsWith(RESERVED_COLUMN_PREFIX), {
        message: `field names starting with ${RESERVED_COLUMN_PREFIX} are reserved for Sluice`,
      })
      .meta({ title: "Field", description: "The column this rule checks.", widget: "column" }),
    type: ZColumnType.optional().meta({
      title: "Type",
      description:
        "The type values must have. The column gets this type downstream. Without it the column keeps its incoming type.",
    }),
    required: z
      .boolean()
      .optional()
      .meta({ title: "Required", description: "A missing value (empty field or null) is a violation." }),
    min: ZBound.optional().meta({
      title: "Minimum",
      description:
        "Smallest allowed value: a number for integer and number fields, YYYY-MM-DD for dates, a timestamp for timestamps.",
    }),
    max: ZBound.optional().meta({ title: "Maximum", description: "Largest allowed value, written like the minimum." }),
    minLength: z
      .int()
      .nonnegative()
      .optional()
      .meta({ title: "Minimum length", description: "Fewest characters the value may have." }),
    maxLength: z
      .int()
      .nonnegative()
      .optional()
      .meta({ title: "Maximum length", description: "Most characters the value may have." }),
    pattern: z
      .string()
      .superRefine((source, ctx) => {
        const problem = patternProblem(source);
        if (problem) ctx.addIssue({ code: "custom", message: `the pattern is not a valid regular expression: ${problem}` });
      })
      .optional()
      .meta({
        title: "Pattern",
        description:
          "A regular expression the whole value must match, e.g. [A-Z]{2}[0-9]{4}. \\d is 0-9, \\w is A-Za-z0-9_, . matches any character.",
      }),
    oneOf: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional()
      .meta({ title: "Allowed values", description: "The value must equal one of these (compared as the field's type)." }),
    unique: z
      .boolean()
      .optional()
      .meta({
        title: "Unique",
        description: "Within one run, a value seen on an earlier record makes every later record with it a violation.",
      }),
    references: z
      .object({
        table: ZIdentifier("the table name").meta({ title: "Table", widget: "table" }),
        schema: ZIdentifier("the schema name").optional().meta({ title: "Schema", description: "Default: public." }),
        column: ZIdentifier("the column name").meta({ title: "Column" }),
      })
      .optional()
      .meta({
        title: "References",
        description: "The value must exist in this column of a table in the data database (like a foreign key).",
      }),
  })
  .superRefine((rule, ctx) => {
    const add = (problem: ConfigProblem) => ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    if (rule.minLength !== undefined && rule.maxLength !== undefined && rule.minLength > rule.maxLength) {
      add({ path: ["minLength"], message: `the minimum length ${rule.minLength} is above the maximum length ${rule.maxLength}` });
    }
    if (rule.type) ruleTypeProblems(rule, rule.type).forEach(add);
  });
export type TRule = z.infer<typeof ZRule>;

export const UNKNOWN_FIELDS = ["keep", "drop", "reject"] as const;

export const ZValidateConfig = z
  .object({
    rules: z.array(ZRule).meta({ title: "Rules", description: "One rule per field; every rule is checked on every record." }),
    unknownFields: z
      .enum(UNKNOWN_FIELDS)
      .default("keep")
      .meta({
        title: "Fields without a rule",
        description:
          "keep: pass them through unchecked. drop: remove them. reject: a record with a value in such a field is a violation (and the field is removed).",
      }),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.rules.forEach((rule, index) => {
      const first = seen.get(rule.field);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "field"],
          message: `"${rule.field}" already has a rule (rule ${first + 1}): put all its checks in one rule`,
        });
      } else seen.set(rule.field, index);
    });
  });
export type TValidateConfig = z.infer<typeof ZValidateConfig>;

/** Column types `min` and `max` apply to, and how their bounds compare. */
export const ORDERED_TYPES = ["integer", "number", "date", "timestamp"] as const;
export type TOrderedType = (typeof ORDERED_TYPES)[number];

export function isOrderedType(type: TColumnType): type is TOrderedType {
  return (ORDERED_TYPES as readonly TColumnType[]).includes(type);
}

/** The type a rule's field has after the node: the rule's `type`, else the incoming type. */
export function effectiveType(rule: TRule, incoming: TColumnType | undefined): TColumnType {
  return rule.type ?? incoming ?? "string";
}

const BOUND_FORMATS: Record<TOrderedType, string> = {
  integer: "a number",
  number: "a number",
  date: "a date written YYYY-MM-DD",
  timestamp: "a timestamp written YYYY-MM-DD HH:MM[:SS] with an optional offset",
};

/**
 * A rule's bound as a value of the field's type: number for integer and number fields,
 * the validated text for dates and timestamps. Null when it does not fit the type.
 */
export function boundValue(type: TOrderedType, bound: number | string): number | string | null {
  if (type === "integer" || type === "number") return typeof bound === "number" ? bound : null;
  if (typeof bound !== "string") return null;
  return parseValue(type, bound).ok && bound !== "" ? bound : null;
}

/** A `oneOf` entry as a value of the field's type, or null when it is not one. */
export function oneOfValue<T extends TColumnType>(type: T, entry: string | number | boolean): TTypedValues[T] | null {
  const text = typeof entry === "string" ? entry : String(entry);
  if (text === "") return null;
  const parsed = parseValue(type, text);
  return parsed.ok ? parsed.value : null;
}

/** Types `oneOf` cannot compare: equal instants and JSON documents have many spellings. */
const NO_ONE_OF: readonly TColumnType[] = ["timestamp", "json"];

/**
 * Problems of a rule given its field's type (paths relative to the rule). Empty when the
 * rule can be compiled for that type.
 */
export function ruleTypeProblems(rule: TRule, type: TColumnType): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const bounds = (["min", "max"] as const).filter((key) => rule[key] !== undefined);
  if (bounds.length > 0 && !isOrderedType(type)) {
    for (const key of bounds) {
      problems.push({
        path: [key],
        message: `${key} applies to integer, number, date and timestamp fields; "${rule.field}" is a ${type} field (set its type${type === "string" ? ", or use minLength/maxLength" : ""})`,
      });
    }
  } else if (isOrderedType(type)) {
    for (const key of bounds) {
      const bound = rule[key];
      if (bound !== undefined && boundValue(type, bound) === null) {
        problems.push({ path: [key], message: `${key} must be ${BOUND_FORMATS[type]} for a ${type} field, not ${JSON.stringify(bound)}` });
      }
    }
    if (problems.length === 0 && rule.min !== undefined && rule.max !== undefined && compareBounds(type, rule.min, rule.max) > 0) {
      problems.push({ path: ["min"], message: `the minimum ${rule.min} is above the maximum ${rule.max}` });
    }
  }
  if (rule.oneOf) {
    if (NO_ONE_OF.includes(type)) {
      problems.push({ path: ["oneOf"], message: `allowed values cannot be used on a ${type} field` });
    } else {
      rule.oneOf.forEach((entry, index) => {
        if (oneOfValue(type, entry) === null) {
          problems.push({ path: ["oneOf", index], message: `${JSON.stringify(entry)} is not a valid ${type}` });
        }
      });
    }
  }
  return problems;
}

function compareBounds(type: TOrderedType, a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (type === "timestamp") {
    const x = timestampInstant(String(a));
    const y = timestampInstant(String(b));
    return x && y ? x.seconds - y.seconds || x.micros - y.micros : 0;
  }
  // Valid dates are fixed-width YYYY-MM-DD: text order is calendar order.
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** A valid timestamp text as an exact instant (seconds since 2000-01-01 UTC + microseconds), else null. */
export function timestampInstant(text: string): { seconds: number; micros: number } | null {
  const parts = parseTimestampParts(text);
  return parts.ok ? { seconds: secondsSince2000(parts.value), micros: parts.value.micros } : null;
}
