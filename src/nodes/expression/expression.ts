/**
 * The Sluice expression language: a small, safe subset of PostgreSQL expressions, used by
 * the filter and derive nodes. Text a person typed is parsed with a real SQL parser
 * (pgsql-ast-parser), checked against an allow-list, typed, and written again as SQL with
 * the builder in `../sql`: column names through `ident()`, every literal as a parameter.
 * Nothing typed is ever pasted into SQL text. Pure and browser-safe: the editor shows
 * problems while the expression is typed.
 *
 * ## The language
 * - Columns: `aqi`, or `"PM 2.5"` in double quotes for names with spaces, other
 *   characters or exact letter case (`""` inside quotes is one `"`). A bare name matches a
 *   column exactly, or else the one column with the same letters in any case.
 * - Literals: `42`, `-7`, `2.5`, `.5` (exponent notation like `1e5` is not supported), `'text'` (`''` inside quotes is
 *   one `'`), `TRUE`, `FALSE`, `NULL`. A quoted literal next to a date, timestamp, number or
 *   boolean is read as one, in the formats CSV values use: `day >= '2024-01-31'`,
 *   `at < '2024-01-31 12:00+01:00'` (no offset means UTC). An integer meeting a number
 *   becomes a number; a date meeting a timestamp becomes its midnight in UTC.
 * - Arithmetic `+ - * / %`: `/` always divides exactly (`7 / 2` is `3.5`); integers stay
 *   integers for `+ - * %`. `date + integer` and `date - integer` add days, `date - date`
 *   counts days. Division by zero or an integer overflow fails the run.
 * - Text: `a || b` joins (other types are written as text, e.g. dates as `YYYY-MM-DD`),
 *   `LIKE`/`ILIKE` with `%` and `_`, `NOT LIKE`, `NOT ILIKE`.
 * - Comparisons `= <> != < <= > >=`, `BETWEEN a AND b`, `NOT BETWEEN`, `IN (…)`,
 *   `NOT IN (…)`, `IS NULL`, `IS NOT NULL`, `IS TRUE`, `IS FALSE`, `IS NOT TRUE`,
 *   `IS NOT FALSE`; logic `AND`, `OR`, `NOT`. A comparison with NULL is NULL (unknown), not
 *   false: use `IS NULL`.
 * - `CASE WHEN c THEN x … ELSE y END` and `CASE v WHEN a THEN x … END`.
 * - `CAST(x AS type)` and `x::type`, type one of `text`/`string`, `integer`/`bigint`/`int`,
 *   `number`/`double precision`/`float8`/`numeric`, `boolean`/`bool`, `date`,
 *   `timestamp`/`timestamptz`, `json`/`jsonb`. Text is read in the CSV value formats; a text
 *   that is not a valid value fails the run with a message naming it. Integers are 64-bit;
 *   `numeric` is computed as a double.
 * - Functions: text `lower upper initcap trim ltrim rtrim length substr substring replace
 *   concat left right strpos split_part md5`; numbers `abs sign round ceil ceiling floor
 *   sqrt ln exp power mod`; choices `coalesce nullif greatest least`; dates and times
 *   `date_trunc(unit, x)`, `date_part(field, x)`, `EXTRACT(field FROM x)`, `to_char(x,
 *   format)`, `make_date(y, m, d)`. Timestamps are read and truncated in UTC. `round(x, n)`
 *   rounds halves away from zero.
 * - Result types: comparisons and logic give true/false; `+ - * %` on integers give an
 *   integer, with a number a number; `/`, `sqrt`, `power`… a number; text functions text;
 *   CASE/COALESCE/GREATEST/LEAST the common type of their alternatives.
 *
 * Not allowed (each reported with its position): subqueries and anything with SELECT or
 * FROM, several statements, comments, parameters, qualified names (`t.col`), functions off
 * the list (among them `pg_sleep`, `current_setting`), aggregate and window functions,
 * set-returning functions, and values that change between runs (`now()`, `current_date`,
 * `random()`). At most {@link MAX_EXPRESSION_LENGTH} characters, nested at most
 * {@link MAX_EXPRESSION_DEPTH} levels.
 */
import {
  parseWithComments,
  type Expr,
  type ExprBinary,
  type ExprCall,
  type ExprCase,
  type ExprCast,
  type ExprRef,
  type ExprUnary,
  type PGNode,
} from "pgsql-ast-parser";
import type { Column, TColumnType } from "../contract";
import { ident, join, param, raw, sql, type Sql } from "../sql";
import { parseNumber } from "../values";
import { canConvert, convert, toText } from "./conversions";
import { compileCall, DATE_PART_FIELDS, datePart, refusal } from "./functions";
import { unknownColumnMessage } from "./suggest";
import { Checker, describeType, isNumeric, type ExpressionError, type Span, type Typed } from "./typing";

export type { ExpressionError } from "./typing";

/** The language in one paragraph, for the `ui.description` of nodes that take expressions. */
export const EXPRESSION_LANGUAGE_SUMMARY =
  "Expressions are a safe subset of SQL: column names (in \"double quotes\" when they contain spaces or capitals), " +
  "numbers, 'quoted text', TRUE/FALSE/NULL; + - * / % (/ divides exactly: 7 / 2 is 3.5) and || (joins text); " +
  "= <> < <= > >=, BETWEEN, IN (…), LIKE/ILIKE, IS [NOT] NULL; AND, OR, NOT; CASE WHEN … THEN … ELSE … END; " +
  "CAST(x AS type) or x::type for text, integer, number, boolean, date, timestamp, json (text must be a valid " +
  "value, as in CSV files, or the run fails naming it); and the functions lower, upper, initcap, trim, ltrim, " +
  "rtrim, length, substr, substring, replace, concat, left, right, strpos, split_part, md5, abs, sign, round, " +
  "ceil, floor, sqrt, ln, exp, power, mod, coalesce, nullif, greatest, least, date_trunc, date_part, EXTRACT, " +
  "to_char, make_date. Quoted values adapt to what they meet: day >= '2024-01-31'; a date met by a timestamp is its " +
  "midnight in UTC. A date plus an integer adds " +
  "days; two dates subtract to days. Timestamps are read and shown in UTC. Anything compared with NULL is " +
  "unknown (NULL): test with IS NULL. Not allowed: subqueries, comments, aggregates (sum, count…), and values " +
  "that change between runs (now(), current_date, random()).";

/** Longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 4096;
/** Deepest nesting accepted (operators, calls, parentheses that build structure). */
export const MAX_EXPRESSION_DEPTH = 64;

export type TCompiledExpression =
  | {
      ok: true;
      /** SQL over the input's columns (unqualified), of the PostgreSQL type of `type`. */
      sql: Sql;
      type: TColumnType;
      /** The input columns the expression reads, in order of first use. */
      columnsUsed: string[];
    }
  | { ok: false; errors: ExpressionError[] };

/** Parses, checks and compiles an expression over `columns`. Never throws on bad input. */
export function compileExpression(text: string, columns: readonly Column[]): TCompiledExpression {
  const checker = new Checker(text);
  const fail = (at: Span, message: string): TCompiledExpression => {
    checker.fail(at, message);
    return { ok: false, errors: checker.errors };
  };
  if (text.trim() === "") return fail({ start: 0, end: text.length }, "The expression is empty.");
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return fail(
      { start: MAX_EXPRESSION_LENGTH, end: text.length },
      `The expression is ${text.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are allowed.`,
    );
  }
  const tooDeep = tooDeeplyBracketed(text);
  if (tooDeep) return fail(tooDeep, `The expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep.`);
  const parsed = parse(text);
  if ("error" in parsed) return fail(parsed.error.at, parsed.error.message);
  for (const comment of parsed.comments) {
    checker.fail(spanOf(comment, { start: 0, end: text.length }), "Comments are not allowed in expressions.");
  }
  const compiler = new ExpressionCompiler(text, columns, checker);
  const result = compiler.check(parsed.expr, 0, { start: 0, end: text.length });
  if (checker.errors.length === 0 && result.type === "null") {
    checker.fail(result, "This expression is always NULL, so its type is unknown: write e.g. CAST(NULL AS integer).");
  }
  if (checker.errors.length > 0 || result.type === "null" || result.type === "error") {
    return { ok: false, errors: checker.errors };
  }
  return { ok: true, sql: result.sql, type: result.type, columnsUsed: compiler.columnsUsed };
}

/** One line per problem, `message (line 1, column 5)`: for places that show plain text. */
export function formatExpressionErrors(errors: readonly ExpressionError[]): string {
  return errors.map((e) => `${e.message} (line ${e.line}, column ${e.column})`).join("\n");
}

type Parsed = { expr: Expr; comments: PGNode[] } | { error: { at: Span; message: string } };

/**
 * Parsed expressions by their text. Parsing is the costly step (tens of ms for a long
 * expression) and the same text is checked on every edit, save, preview and node of a run;
 * the tree only depends on the text, and nothing downstream changes it.
 */
const parsedByText = new Map<string, Parsed>();
const PARSED_KEPT = 512;

function parse(text: string): Parsed {
  const known = parsedByText.get(text);
  if (known) {
    // Map order is the eviction order: a hit moves to the young end.
    parsedByText.delete(text);
    parsedByText.set(text, known);
    return known;
  }
  const parsed = parseUncached(text);
  parsedByText.set(text, parsed);
  if (parsedByText.size > PARSED_KEPT) parsedByText.delete(parsedByText.keys().next().value!);
  return parsed;
}

function parseUncached(text: string): Parsed {
  try {
    const { ast, comments } = parseWithComments(text, { entry: "expr", locationTracking: true });
    // With entry "expr" the parser returns the expression, though its declared type is a statement list.
    const expr: unknown = Array.isArray(ast) ? ast[0] : ast;
    if (!isExpr(expr)) return { error: { at: { start: 0, end: text.length }, message: "Syntax error." } };
    return { expr, comments };
  } catch (error) {
    return { error: exponentProblem(text) ?? syntaxError(text, error) };
  }
}

/**
 * The span of the first bracket deeper than the limit, outside quoted text and names. Checked
 * before parsing because the parser's time grows much faster than linearly with nesting: 2,000
 * redundant parentheses took 0.4 s, though they build no structure the depth check would see.
 */
function tooDeeplyBracketed(text: string): Span | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      // A doubled quote is an escaped one: it closes and reopens, which leaves the state as it was.
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "(" || char === "[") {
      if (++depth > MAX_EXPRESSION_DEPTH) return { start: i, end: i + 1 };
    } else if (char === ")" || char === "]") {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** The parser reads `1e5` as `1` followed by a name, which makes a baffling message. */
function exponentProblem(text: string): { at: Span; message: string } | undefined {
  // Quoted parts are blanked out (same length) so positions stay right.
  const unquoted = text.replace(/'(?:[^']|'')*'?|"(?:[^"]|"")*"?/g, (quoted) => " ".repeat(quoted.length));
  const match = /(?<![\w.])(?:[0-9]+[.]?[0-9]*|[.][0-9]+)[eE][+-]?[0-9]+(?![\w.])/.exec(unquoted);
  if (!match) return undefined;
  return {
    at: { start: match.index, end: match.index + match[0].length },
    message: `Exponent notation (${match[0]}) is not supported: write the number out, e.g. 100000 for 1e5.`,
  };
}

function isExpr(node: unknown): node is Expr {
  return typeof node === "object" && node !== null && "type" in node && typeof node.type === "string";
}

/** A person-sized message from the parser's error, which lists every token it expected. */
function syntaxError(text: string, error: unknown): { at: Span; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const token = typeof error === "object" && error !== null && "token" in error ? error.token : undefined;
  if (typeof token === "object" && token !== null && "text" in token && "offset" in token) {
    const start = typeof token.offset === "number" ? token.offset : 0;
    const tokenText = typeof token.text === "string" ? token.text : "";
    return { at: { start, end: start + tokenText.length }, message: `Syntax error: unexpected ${JSON.stringify(tokenText)}.` };
  }
  const position = /at line (\d+) col (\d+)/.exec(message);
  if (position) {
    const start = offsetOf(text, Number(position[1]), Number(position[2]));
    const char = text[start] ?? "";
    const what =
      char === "'"
        ? "a quoted text is not closed (or has a bad escape)"
        : char === '"'
          ? "a quoted name is not closed"
          : `unexpected character ${JSON.stringify(char)}`;
    return { at: { start, end: start + 1 }, message: `Syntax error: ${what}.` };
  }
  if (message.includes("Unexpected end of input")) {
    return {
      at: { start: text.length, end: text.length },
      message: "Syntax error: the expression is incomplete, or two values stand next to each other without an operator.",
    };
  }
  return { at: { start: 0, end: text.length }, message: `Syntax error: ${message.split("\n")[0] ?? message}` };
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return Math.min(text.length, offset + column - 1);
}

function spanOf(node: PGNode, fallback: Span): Span {
  const location = node._location;
  return location ? { start: location.start, end: location.end } : fallback;
}

const COMPARISONS: Record<string, string> = { "=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };
const PATTERN_MATCHES: Record<string, string> = { LIKE: "LIKE", "NOT LIKE": "NOT LIKE", ILIKE: "ILIKE", "NOT ILIKE": "NOT ILIKE" };
const OPERATOR_HINTS: Record<string, string> = {
  "^": "use power(a, b)",
  "~": "regular expressions are not supported; use LIKE",
  "~*": "regular expressions are not supported; use ILIKE",
  "!~": "regular expressions are not supported; use NOT LIKE",
  "!~*": "regular expressions are not supported; use NOT ILIKE",
  "AT TIME ZONE": "timestamps are always in UTC",
};

const CAST_TYPES: Record<string, TColumnType> = {
  text: "string",
  string: "string",
  varchar: "string",
  integer: "integer",
  int: "integer",
  int8: "integer",
  int4: "integer",
  bigint: "integer",
  number: "number",
  numeric: "number",
  decimal: "number",
  "double precision": "number",
  float8: "number",
  float: "number",
  boolean: "boolean",
  bool: "boolean",
  date: "date",
  timestamp: "timestamp",
  timestamptz: "timestamp",
  "timestamp with time zone": "timestamp",
  json: "json",
  jsonb: "json",
};

const VALUE_KEYWORDS_THAT_CHANGE = new Set(["current_date", "current_timestamp", "current_time", "localtimestamp", "localtime"]);
const SUBQUERY_TYPES = new Set(["select", "union", "union all", "with", "with recursive", "values", "array select"]);

class ExpressionCompiler {
  readonly columnsUsed: string[] = [];

  constructor(
    private readonly text: string,
    private readonly columns: readonly Column[],
    private readonly checker: Checker,
  ) {}

  check(node: Expr, depth: number, parent: Span): Typed {
    const span = spanOf(node, parent);
    if (depth > MAX_EXPRESSION_DEPTH) {
      return this.checker.fail(span, `The expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep.`);
    }
    const next = (child: Expr) => this.check(child, depth + 1, span);
    switch (node.type) {
      case "ref":
        return this.column(node, span);
      case "integer":
      case "numeric":
        return this.number(span);
      case "string": {
        if (node.value.includes("\u0000")) return this.checker.fail(span, "Text cannot contain a NUL character.");
        return { ...span, sql: sql`CAST(${param(node.value)} AS text)`, type: "string", literal: node.value };
      }
      case "boolean":
        return { ...span, sql: node.value ? sql`TRUE` : sql`FALSE`, type: "boolean" };
      case "null":
        return { ...span, sql: sql`NULL`, type: "null" };
      case "binary":
        return this.binary(node, span, next);
      case "unary":
        return this.unary(node, span, next);
      case "ternary": {
        const unified = this.checker.unify([next(node.value), next(node.lo), next(node.hi)], "BETWEEN");
        const [value, lo, hi] = unified?.values ?? [];
        if (!unified || !value || !lo || !hi) return this.errorAt(span);
        const operator = node.op === "NOT BETWEEN" ? raw("NOT BETWEEN") : raw("BETWEEN");
        return this.typed(span, sql`(${value.sql} ${operator} ${lo.sql} AND ${hi.sql})`, "boolean", unified.type);
      }
      case "case":
        return this.caseExpression(node, span, next);
      case "cast":
        return this.cast(node, span, next);
      case "call":
        return this.call(node, span, next);
      case "extract": {
        const field = node.field.name.toLowerCase();
        const value = next(node.from);
        const known = DATE_PART_FIELDS.some((f) => f === field);
        if (!known) {
          this.checker.fail(spanOf(node.field, span), `EXTRACT cannot take "${field}"; fields: ${DATE_PART_FIELDS.join(", ")}.`);
        }
        return datePart({ checker: this.checker, name: "extract", args: [value], span }, known ? field : undefined, 0);
      }
      case "substring": {
        const args = [next(node.value), node.from ? next(node.from) : this.one(span)];
        if (node.for) args.push(next(node.for));
        return compileCall({ checker: this.checker, name: "substring", args, span });
      }
      case "keyword":
        return this.checker.fail(
          span,
          VALUE_KEYWORDS_THAT_CHANGE.has(node.keyword)
            ? `${node.keyword} would give a different result on every run, so reruns would not be repeatable.`
            : `${node.keyword} is not allowed in expressions. For a column with this name, write "${node.keyword}".`,
        );
      case "parameter":
        return this.checker.fail(span, `Parameters like ${node.name} are not allowed: write the value itself.`);
      case "list":
        return this.checker.fail(span, "A list in parentheses is only allowed after IN.");
      case "array":
        return this.checker.fail(span, "Arrays are not supported.");
      case "member":
        return this.checker.fail(span, "JSON operators (-> and ->>) are not supported.");
      default:
        if (SUBQUERY_TYPES.has(node.type)) {
          return this.checker.fail(span, "Subqueries (SELECT, FROM, WITH, VALUES) are not allowed in expressions.");
        }
        return this.checker.fail(span, `This kind of expression (${node.type}) is not supported.`);
    }
  }

  private errorAt(span: Span): Typed {
    return { ...span, sql: sql`NULL`, type: "error" };
  }

  /** A result typed `type`, or an error placeholder when its operands' common type is. */
  private typed(span: Span, code: Sql, type: TColumnType, operands: Typed["type"]): Typed {
    return { ...span, sql: code, type: operands === "error" ? "error" : type };
  }

  private one(span: Span): Typed {
    return { start: span.start, end: span.start, sql: sql`CAST(${param("1")} AS bigint)`, type: "integer" };
  }

  private column(node: ExprRef, span: Span): Typed {
    if (node.table) {
      return this.checker.fail(span, 'Qualified names (t.col) are not allowed; for a column whose name has a dot, write "a.b".');
    }
    if (node.name === "*") return this.checker.fail(span, "* is not allowed here.");
    const source = this.text.slice(span.start, span.end);
    const quoted = source.startsWith('"');
    const name = quoted ? source.slice(1, -1).replaceAll('""', '"') : source;
    let column = this.columns.find((c) => c.name === name);
    if (!column && !quoted) {
      const sameLetters = this.columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
      if (sameLetters.length === 1) column = sameLetters[0];
    }
    if (!column) return this.checker.fail(span, unknownColumnMessage(name, this.columns.map((c) => c.name)));
    if (!this.columnsUsed.includes(column.name)) this.columnsUsed.push(column.name);
    return { ...span, sql: sql`${ident(column.name)}`, type: column.type };
  }

  /** Numbers are taken from the source text: the parser's JavaScript number would round big ones. */
  private number(span: Span): Typed {
    const source = this.text.slice(span.start, span.end).replace(/\s+/g, "");
    if (/^[+-]?[0-9]+$/.test(source)) {
      const value = BigInt(source);
      if (value >= -9223372036854775808n && value <= 9223372036854775807n) {
        return { ...span, sql: sql`CAST(${param(source)} AS bigint)`, type: "integer" };
      }
    }
    const parsed = parseNumber(source);
    if (!parsed.ok) return this.checker.fail(span, parsed.message);
    return { ...span, sql: sql`CAST(${param(source)} AS double precision)`, type: "number" };
  }

  private binary(node: ExprBinary, span: Span, next: (e: Expr) => Typed): Typed {
    const op = node.op;
    if (op === "IN" || op === "NOT IN") return this.inList(node, span, next);
    if (node.opSchema) return this.checker.fail(span, "Schema-qualified operators are not allowed.");
    const left = next(node.left);
    const right = next(node.right);
    if (op === "AND" || op === "OR") {
      const l = this.checker.expect(left, ["boolean"], op);
      const r = this.checker.expect(right, ["boolean"], op);
      return this.typed(span, sql`(${l.sql} ${raw(op)} ${r.sql})`, "boolean", l.type === "error" || r.type === "error" ? "error" : "boolean");
    }
    const comparison = COMPARISONS[op];
    if (comparison) {
      const unified = this.checker.unify([left, right], `The comparison ${op}`);
      const [l, r] = unified?.values ?? [];
      if (!unified || !l || !r) return this.errorAt(span);
      if (unified.type === "json" && comparison !== "=" && comparison !== "<>") {
        return this.checker.fail(span, "JSON values can only be compared with = and <>.");
      }
      return this.typed(span, sql`(${l.sql} ${raw(comparison)} ${r.sql})`, "boolean", unified.type);
    }
    const match = PATTERN_MATCHES[op];
    if (match) {
      const l = this.checker.expect(left, ["string"], op);
      const r = this.checker.expect(right, ["string"], `The pattern of ${op}`);
      return this.typed(span, sql`(${l.sql} ${raw(match)} ${r.sql})`, "boolean", l.type === "error" || r.type === "error" ? "error" : "boolean");
    }
    if (op === "||") return this.concatenation(left, right, span);
    if (op === "+" || op === "-" || op === "*" || op === "/" || op === "%") return this.arithmetic(op, left, right, span);
    const hint = OPERATOR_HINTS[op];
    return this.checker.fail(span, `The operator ${op} is not supported${hint ? `: ${hint}` : ""}.`);
  }

  private inList(node: ExprBinary, span: Span, next: (e: Expr) => Typed): Typed {
    if (node.right.type !== "list") {
      const message = SUBQUERY_TYPES.has(node.right.type)
        ? "Subqueries (SELECT, FROM, WITH, VALUES) are not allowed in expressions."
        : `${node.op} needs a list in parentheses, e.g. x IN (1, 2, 3).`;
      return this.checker.fail(spanOf(node.right, span), message);
    }
    const values = [next(node.left), ...node.right.expressions.map(next)];
    const unified = this.checker.unify(values, node.op);
    if (!unified) return this.errorAt(span);
    const [value, ...list] = unified.values;
    if (!value) return this.errorAt(span);
    return this.typed(span, sql`(${value.sql} ${raw(node.op)} (${join(list.map((v) => v.sql))}))`, "boolean", unified.type);
  }

  private concatenation(left: Typed, right: Typed, span: Span): Typed {
    if (left.type === "error" || right.type === "error") return this.errorAt(span);
    if (left.type === "json" && right.type === "json") return { ...span, sql: sql`(${left.sql} || ${right.sql})`, type: "json" };
    const isText = (t: Typed) => t.type === "string" || t.type === "null";
    if (!isText(left) && !isText(right)) {
      return this.checker.fail(span, `|| joins text, but this joins ${describeType(left.type)} and ${describeType(right.type)}: convert one with CAST(… AS text).`);
    }
    const text = (t: Typed) =>
      t.type === "null" || t.type === "string" || t.type === "error" ? sql`CAST(${t.sql} AS text)` : toText(t.sql, t.type);
    return { ...span, sql: sql`(${text(left)} || ${text(right)})`, type: "string" };
  }

  private arithmetic(op: "+" | "-" | "*" | "/" | "%", left: Typed, right: Typed, span: Span): Typed {
    if (left.type === "error" || right.type === "error") return this.errorAt(span);
    const dates = this.dateArithmetic(op, left, right, span);
    if (dates) return dates;
    const l = this.checker.expect(left, ["integer", "number"], `The left side of ${op}`);
    const r = this.checker.expect(right, ["integer", "number"], `The right side of ${op}`);
    if (l.type === "error" || r.type === "error") return this.errorAt(span);
    if (op === "/") {
      return { ...span, sql: sql`(CAST(${l.sql} AS double precision) / CAST(${r.sql} AS double precision))`, type: "number" };
    }
    if (l.type === "integer" && r.type === "integer") return { ...span, sql: sql`(${l.sql} ${raw(op)} ${r.sql})`, type: "integer" };
    const unified = this.checker.unify([l, r], op);
    const [a, b] = unified?.values ?? [];
    if (!a || !b) return this.errorAt(span);
    if (op === "%") {
      // double precision has no %; numeric does.
      return { ...span, sql: sql`CAST(mod(CAST(${a.sql} AS numeric), CAST(${b.sql} AS numeric)) AS double precision)`, type: "number" };
    }
    return { ...span, sql: sql`(${a.sql} ${raw(op)} ${b.sql})`, type: "number" };
  }

  /** date ± integer (days) and date - date (days between); undefined when no date is involved. */
  private dateArithmetic(op: string, left: Typed, right: Typed, span: Span): Typed | undefined {
    const isDate = (t: Typed) => t.type === "date";
    if (!isDate(left) && !isDate(right) && left.type !== "timestamp" && right.type !== "timestamp") return undefined;
    if (left.type === "timestamp" || right.type === "timestamp") {
      return this.checker.fail(span, "Arithmetic on timestamps is not supported: compare them, or use date_part('epoch', t) for seconds.");
    }
    if (op === "-" && isDate(left) && (isDate(right) || right.literal !== undefined)) {
      const other = this.checker.coerce(right, "date");
      if (other && other.type === "date") {
        return { ...span, sql: sql`CAST((${left.sql} - ${other.sql}) AS bigint)`, type: "integer" };
      }
    }
    if ((op === "+" || op === "-") && isDate(left)) {
      const days = this.checker.expect(right, ["integer"], `The days added to a date with ${op}`);
      return this.typed(span, sql`(${left.sql} ${raw(op)} CAST(${days.sql} AS integer))`, "date", days.type);
    }
    if (op === "+" && isDate(right)) {
      const days = this.checker.expect(left, ["integer"], "The days added to a date");
      return this.typed(span, sql`(${right.sql} + CAST(${days.sql} AS integer))`, "date", days.type);
    }
    return this.checker.fail(span, `${op} cannot be used with dates: add or subtract days (date + 1), or subtract two dates.`);
  }

  private unary(node: ExprUnary, span: Span, next: (e: Expr) => Typed): Typed {
    if (node.opSchema) return this.checker.fail(span, "Schema-qualified operators are not allowed.");
    const operand = next(node.operand);
    switch (node.op) {
      case "NOT": {
        const value = this.checker.expect(operand, ["boolean"], "NOT");
        return this.typed(span, sql`(NOT ${value.sql})`, "boolean", value.type);
      }
      case "-":
      case "+": {
        const value = this.checker.expect(operand, ["integer", "number"], `Unary ${node.op}`);
        if (value.type === "error") return this.errorAt(span);
        const type = isNumeric(value.type) ? value.type : "number";
        return { ...span, sql: node.op === "-" ? sql`(- ${value.sql})` : value.sql, type };
      }
      case "IS NULL":
      case "IS NOT NULL":
        return this.typed(span, sql`(${operand.sql} ${raw(node.op)})`, "boolean", operand.type);
      default: {
        const value = this.checker.expect(operand, ["boolean"], node.op);
        return this.typed(span, sql`(${value.sql} ${raw(node.op)})`, "boolean", value.type);
      }
    }
  }

  private caseExpression(node: ExprCase, span: Span, next: (e: Expr) => Typed): Typed {
    let subject: Typed | undefined;
    let conditions: Typed[];
    if (node.value) {
      const unified = this.checker.unify([next(node.value), ...node.whens.map((w) => next(w.when))], "CASE … WHEN");
      if (!unified) return this.errorAt(span);
      [subject, ...conditions] = unified.values;
    } else {
      conditions = node.whens.map((w) => this.checker.expect(next(w.when), ["boolean"], "A WHEN condition"));
    }
    const alternatives = [...node.whens.map((w) => next(w.value)), ...(node.else ? [next(node.else)] : [])];
    const unified = this.checker.unify(alternatives, "CASE");
    if (!unified) return this.errorAt(span);
    const results = unified.values;
    const arms = conditions.map((c, i) => sql`WHEN ${c.sql} THEN ${results[i]?.sql ?? sql`NULL`}`);
    const otherwise = node.else ? sql` ELSE ${results[results.length - 1]?.sql ?? sql`NULL`}` : sql``;
    const head = subject ? sql`CASE ${subject.sql} ` : sql`CASE `;
    const failed = conditions.some((c) => c.type === "error") || subject?.type === "error";
    const type = failed ? "error" : unified.type;
    const code = sql`(${head}${join(arms, " ")}${otherwise} END)`;
    return { ...span, sql: code, type };
  }

  private cast(node: ExprCast, span: Span, next: (e: Expr) => Typed): Typed {
    const operand = next(node.operand);
    const typeSpan = spanOf(node.to, span);
    if (node.to.kind === "array") return this.checker.fail(typeSpan, "Arrays are not supported.");
    if (node.to.config && node.to.config.length > 0) {
      return this.checker.fail(typeSpan, "Type modifiers like numeric(10, 2) or varchar(5) are not supported.");
    }
    const typeName = node.to.name.toLowerCase();
    const to = node.to.schema ? undefined : CAST_TYPES[typeName];
    if (!to) {
      const hint = typeName === "timestamp without time zone" ? " Timestamps are always with time zone (UTC)." : "";
      return this.checker.fail(
        typeSpan,
        `Cannot convert to ${typeName}.${hint} Types: text, integer, number, boolean, date, timestamp, json.`,
      );
    }
    if (operand.type === "error") return this.errorAt(span);
    if (operand.type === "null" || operand.literal !== undefined) {
      return { ...(this.checker.coerce(operand, to) ?? operand), ...span };
    }
    if (!canConvert(operand.type, to)) {
      return this.checker.fail(span, `Cannot convert ${describeType(operand.type)} to ${describeType(to)}.`);
    }
    const subject = this.text.slice(operand.start, operand.end).replace(/\s+/g, " ");
    const shortSubject = subject.length > 40 ? `${subject.slice(0, 40)}…` : subject;
    return { ...span, sql: convert(operand.sql, operand.type, to, shortSubject), type: to };
  }

  private call(node: ExprCall, span: Span, next: (e: Expr) => Typed): Typed {
    const name = node.function.name.toLowerCase();
    if (node.function.schema) {
      return this.checker.fail(span, `Schema-qualified functions (${node.function.schema}.${name}) are not allowed.`);
    }
    if (node.over) return this.checker.fail(span, "Window functions (OVER) are not allowed in expressions.");
    if (node.filter || node.orderBy || node.distinct || node.withinGroup) {
      return this.checker.fail(span, "Aggregate clauses (DISTINCT, ORDER BY, FILTER, WITHIN GROUP) are not allowed in expressions.");
    }
    const problem = refusal(name);
    if (problem !== undefined) return this.checker.fail(spanOf(node.function, span), problem);
    return compileCall({ checker: this.checker, name, args: node.args.map(next), span });
  }
}
