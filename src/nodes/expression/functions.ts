/**
 * The functions expressions may call: a fixed allow-list, each with its argument and result
 * types, generating SQL whose type is always the canonical PostgreSQL type of its result
 * (PostgreSQL's `length` returns int4, ours returns bigint like every integer).
 */
import type { TColumnType } from "../contract";
import { join, param, raw, sql, type Sql } from "../sql";
import { toText } from "./conversions";
import type { Checker, Span, Typed } from "./typing";

export interface CallContext {
  checker: Checker;
  name: string;
  args: Typed[];
  /** The whole call, for the result and for problems about the call itself. */
  span: Span;
}

interface FunctionDefinition {
  /** Fewest and most arguments. */
  arity: readonly [number, number];
  compile: (call: CallContext) => Typed;
}

function result(call: CallContext, code: Sql, type: Typed["type"]): Typed {
  return { sql: code, type, start: call.span.start, end: call.span.end };
}

function argument(call: CallContext, index: number, types: readonly TColumnType[]): Typed {
  const arg = call.args[index];
  if (!arg) throw new Error(`${call.name}: argument ${index + 1} missing after the arity check`);
  return call.checker.expect(arg, types, `Argument ${index + 1} of ${call.name}()`);
}

/** Positions and lengths: PostgreSQL takes int4 there, our integers are int8. */
function int4(call: CallContext, index: number): Sql {
  return sql`CAST(${argument(call, index, ["integer"]).sql} AS integer)`;
}

/** A text function; arguments after the first are text, or int4 positions and lengths. */
function textFunction(name: string, arity: readonly [number, number], extra: "text" | "int4" = "text"): FunctionDefinition {
  return {
    arity,
    compile: (call) => {
      const first = argument(call, 0, ["string"]);
      const rest = call.args.slice(1).map((_, i) => (extra === "int4" ? int4(call, i + 1) : argument(call, i + 1, ["string"]).sql));
      return result(call, sql`${raw(name)}(${join([first.sql, ...rest])})`, "string");
    },
  };
}

/** A number function computed in double precision. */
function doubleFunction(name: string, arity: number): FunctionDefinition {
  return {
    arity: [arity, arity],
    compile: (call) => {
      const args = call.args.map((_, i) => argument(call, i, ["integer", "number"]));
      const casts = args.map((a) => sql`CAST(${a.sql} AS double precision)`);
      return result(call, sql`${raw(name)}(${join(casts)})`, "number");
    },
  };
}

/** round/ceil/floor: an integer stays itself; a number is rounded half away from zero. */
function roundingFunction(name: "round" | "ceil" | "floor"): FunctionDefinition {
  return {
    arity: name === "round" ? [1, 2] : [1, 1],
    compile: (call) => {
      const value = argument(call, 0, ["integer", "number"]);
      if (call.args.length === 2) {
        const digits = int4(call, 1);
        return result(
          call,
          sql`CAST(round(CAST(${value.sql} AS numeric), ${digits}) AS double precision)`,
          "number",
        );
      }
      if (value.type === "integer") return result(call, value.sql, "integer");
      // numeric rounds halves away from zero; double precision would round them to even.
      return result(call, sql`CAST(${raw(name)}(CAST(${value.sql} AS numeric)) AS double precision)`, "number");
    },
  };
}

/** Arguments that must agree on one type, which is also the result's (COALESCE, GREATEST…). */
function unifyingFunction(name: string, arity: readonly [number, number]): FunctionDefinition {
  return {
    arity,
    compile: (call) => {
      const unified = call.checker.unify(call.args, `${name}()`);
      if (!unified) return result(call, sql`NULL`, "error");
      return result(call, sql`${raw(name)}(${join(unified.values.map((v) => v.sql))})`, unified.type);
    },
  };
}

/** Units and fields are literals checked here, so a typo is reported while typing. */
function literalChoice(call: CallContext, index: number, choices: readonly string[], noun: string): string | undefined {
  const arg = call.args[index];
  if (!arg || arg.type === "error") return undefined;
  const value = arg.literal?.toLowerCase();
  if (value === undefined || !choices.includes(value)) {
    call.checker.fail(arg, `The ${noun} must be one of ${choices.map((c) => `'${c}'`).join(", ")}.`);
    return undefined;
  }
  return value;
}

export const DATE_TRUNC_UNITS = [
  "microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month", "quarter", "year", "decade",
  "century", "millennium",
] as const;

/** date_part/EXTRACT fields; those listed in {@link WHOLE_FIELDS} give integers. */
export const DATE_PART_FIELDS = [
  "year", "isoyear", "quarter", "month", "week", "day", "doy", "dow", "isodow", "hour", "minute", "second",
  "milliseconds", "microseconds", "epoch", "decade", "century", "millennium",
] as const;
const WHOLE_FIELDS = new Set(["year", "isoyear", "quarter", "month", "week", "day", "doy", "dow", "isodow", "hour", "minute", "decade", "century", "millennium"]);

/** A date or timestamp as a timestamp without time zone, read in UTC. */
function utcTimestamp(value: Typed): Sql {
  return value.type === "date" ? sql`CAST(${value.sql} AS timestamp)` : sql`(${value.sql} AT TIME ZONE 'UTC')`;
}

/** date_part(field, value), shared with the EXTRACT(field FROM value) syntax. */
export function datePart(call: CallContext, field: string | undefined, valueIndex: number): Typed {
  const value = argument(call, valueIndex, ["date", "timestamp"]);
  if (field === undefined || value.type === "error") return result(call, sql`NULL`, "error");
  const part = sql`date_part(${param(field)}, ${utcTimestamp(value)})`;
  return WHOLE_FIELDS.has(field)
    ? result(call, sql`CAST(${part} AS bigint)`, "integer")
    : result(call, part, "number");
}

const FUNCTIONS: Record<string, FunctionDefinition> = {
  lower: textFunction("lower", [1, 1]),
  upper: textFunction("upper", [1, 1]),
  initcap: textFunction("initcap", [1, 1]),
  trim: textFunction("btrim", [1, 2]),
  ltrim: textFunction("ltrim", [1, 2]),
  rtrim: textFunction("rtrim", [1, 2]),
  replace: textFunction("replace", [3, 3]),
  md5: textFunction("md5", [1, 1]),
  left: textFunction("left", [2, 2], "int4"),
  right: textFunction("right", [2, 2], "int4"),
  substr: textFunction("substr", [2, 3], "int4"),
  substring: textFunction("substr", [2, 3], "int4"),
  split_part: {
    arity: [3, 3],
    compile: (call) => {
      const [text, delimiter] = [argument(call, 0, ["string"]), argument(call, 1, ["string"])];
      return result(call, sql`split_part(${text.sql}, ${delimiter.sql}, ${int4(call, 2)})`, "string");
    },
  },
  length: {
    arity: [1, 1],
    compile: (call) => {
      const text = argument(call, 0, ["string"]);
      return result(call, sql`CAST(length(${text.sql}) AS bigint)`, "integer");
    },
  },
  strpos: {
    arity: [2, 2],
    compile: (call) => {
      const args = [argument(call, 0, ["string"]), argument(call, 1, ["string"])];
      return result(call, sql`CAST(strpos(${args[0]?.sql}, ${args[1]?.sql}) AS bigint)`, "integer");
    },
  },
  concat: {
    arity: [1, 100],
    compile: (call) => {
      // Non-text values are written the way values.ts reads them, not per the session's DateStyle.
      const parts = call.args.map((a) => (a.type === "null" || a.type === "error" ? a.sql : toText(a.sql, a.type)));
      return result(call, sql`concat(${join(parts)})`, "string");
    },
  },
  abs: {
    arity: [1, 1],
    compile: (call) => {
      const value = argument(call, 0, ["integer", "number"]);
      return result(call, sql`abs(${value.sql})`, value.type);
    },
  },
  sign: {
    arity: [1, 1],
    compile: (call) => {
      const value = argument(call, 0, ["integer", "number"]);
      const code = sql`sign(CAST(${value.sql} AS double precision))`;
      return value.type === "integer" ? result(call, sql`CAST(${code} AS bigint)`, "integer") : result(call, code, value.type);
    },
  },
  round: roundingFunction("round"),
  ceil: roundingFunction("ceil"),
  ceiling: roundingFunction("ceil"),
  floor: roundingFunction("floor"),
  sqrt: doubleFunction("sqrt", 1),
  ln: doubleFunction("ln", 1),
  exp: doubleFunction("exp", 1),
  power: doubleFunction("power", 2),
  mod: {
    arity: [2, 2],
    compile: (call) => {
      const args = [argument(call, 0, ["integer", "number"]), argument(call, 1, ["integer", "number"])];
      const [a, b] = args.map((x) => x.sql);
      if (args.every((x) => x.type === "integer")) return result(call, sql`mod(${a}, ${b})`, "integer");
      return result(call, sql`CAST(mod(CAST(${a} AS numeric), CAST(${b} AS numeric)) AS double precision)`, "number");
    },
  },
  coalesce: unifyingFunction("coalesce", [1, 100]),
  nullif: unifyingFunction("nullif", [2, 2]),
  greatest: unifyingFunction("greatest", [1, 100]),
  least: unifyingFunction("least", [1, 100]),
  date_trunc: {
    arity: [2, 2],
    compile: (call) => {
      const unit = literalChoice(call, 0, DATE_TRUNC_UNITS, "unit");
      const value = argument(call, 1, ["date", "timestamp"]);
      if (unit === undefined || value.type === "error") return result(call, sql`NULL`, "error");
      if (value.type === "date") {
        return result(call, sql`CAST(date_trunc(${param(unit)}, CAST(${value.sql} AS timestamp)) AS date)`, "date");
      }
      return result(call, sql`date_trunc(${param(unit)}, ${value.sql}, 'UTC')`, "timestamp");
    },
  },
  date_part: {
    arity: [2, 2],
    compile: (call) => datePart(call, literalChoice(call, 0, DATE_PART_FIELDS, "field"), 1),
  },
  to_char: {
    arity: [2, 2],
    compile: (call) => {
      const value = argument(call, 0, ["date", "timestamp", "integer", "number"]);
      const format = argument(call, 1, ["string"]);
      const subject = value.type === "date" || value.type === "timestamp" ? utcTimestamp(value) : value.sql;
      return result(call, sql`to_char(${subject}, ${format.sql})`, "string");
    },
  },
  make_date: {
    arity: [3, 3],
    compile: (call) => {
      const parts = [int4(call, 0), int4(call, 1), int4(call, 2)];
      return result(call, sql`make_date(${join(parts)})`, "date");
    },
  },
};

/** Every function name expressions may call, sorted. */
export const FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS).sort();

const AGGREGATES = new Set([
  "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "bool_and", "bool_or", "every", "json_agg",
  "jsonb_agg", "json_object_agg", "jsonb_object_agg", "stddev", "stddev_pop", "stddev_samp", "variance",
  "var_pop", "var_samp", "percentile_cont", "percentile_disc", "mode", "corr", "covar_pop", "covar_samp",
]);
const WINDOW_FUNCTIONS = new Set([
  "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
  "last_value", "nth_value",
]);
const SET_RETURNING = new Set([
  "generate_series", "unnest", "regexp_matches", "regexp_split_to_table", "string_to_table", "json_each",
  "jsonb_each", "json_each_text", "jsonb_each_text", "json_array_elements", "jsonb_array_elements",
  "json_array_elements_text", "jsonb_array_elements_text", "json_object_keys", "jsonb_object_keys",
  "jsonb_path_query", "json_populate_recordset", "jsonb_populate_recordset", "json_to_recordset",
  "jsonb_to_recordset", "generate_subscripts", "pg_ls_dir",
]);
const VOLATILE = new Set([
  "now", "random", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday",
  "gen_random_uuid", "uuid_generate_v4", "setseed", "nextval", "currval", "lastval",
]);

/** Why `name` cannot be called, or undefined when it is on the allow-list. */
export function refusal(name: string): string | undefined {
  if (Object.hasOwn(FUNCTIONS, name)) return undefined;
  const quoted = `${name}()`;
  if (AGGREGATES.has(name)) return `${quoted} is an aggregate function; expressions work on one row at a time (use an aggregate node).`;
  if (WINDOW_FUNCTIONS.has(name)) return `${quoted} is a window function; expressions work on one row at a time.`;
  if (SET_RETURNING.has(name)) return `${quoted} returns a set of rows; expressions must give one value per row.`;
  if (VOLATILE.has(name)) return `${quoted} would give a different result on every run, so reruns would not be repeatable.`;
  return `Unknown function ${quoted}. Allowed functions: ${FUNCTION_NAMES.join(", ")}.`;
}

/** Checks and compiles a call to an allow-listed function; problems go to the checker. */
export function compileCall(call: CallContext): Typed {
  const problem = refusal(call.name);
  const definition = FUNCTIONS[call.name];
  if (problem !== undefined || !definition) return call.checker.fail(call.span, problem ?? `Unknown function ${call.name}().`);
  const [min, max] = definition.arity;
  if (call.args.length < min || call.args.length > max) {
    const expected = min === max ? `${min}` : max >= 100 ? `at least ${min}` : `${min} to ${max}`;
    return call.checker.fail(call.span, `${call.name}() takes ${expected} argument${expected === "1" ? "" : "s"}, not ${call.args.length}.`);
  }
  const errorsBefore = call.checker.errors.length;
  const compiled = definition.compile(call);
  // A problem in an argument makes the call's type unknown: later checks stay quiet.
  return call.checker.errors.length > errorsBefore ? { ...compiled, type: "error" } : compiled;
}
