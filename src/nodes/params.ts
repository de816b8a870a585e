/**
 * Run parameters a pipeline declares (`params` at the top of the pipeline JSON) and the
 * `{{params.name}}` references node settings make to them. Pure and browser-safe: the
 * editor, saving, starting a run and every job resolve references with the same code.
 *
 * A reference resolves differently by where it stands:
 * - in an expression (a setting whose widget is `expression`), it becomes a typed literal
 *   of the expression language (`CAST('Oslo' AS text)`), which the expression compiler
 *   parses and binds as a value like any literal — a value is data, never SQL or syntax;
 * - as a whole string setting (`"{{params.limit}}"`), it becomes the typed value itself;
 * - inside a longer string (`"upload:{{params.file}}"`), its text.
 * The resolved config is then checked by the node's schema as if typed in, so a table name
 * that came from a parameter is validated as an identifier like any other.
 */
import { z } from "zod";
import { isRealDate } from "./values";

export const PARAM_TYPES = ["string", "number", "boolean", "date"] as const;
export type TParamType = (typeof PARAM_TYPES)[number];
/** A resolved parameter value: dates are `YYYY-MM-DD` text. */
export type TParamValue = string | number | boolean;

export const PARAM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
// Plain decimal notation only: "1e5", " 42", "0x10" and "042" are not numbers a person means exactly.
const NUMBER_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;
/** Digits a double holds exactly: more would change the value silently. */
const EXACT_DIGITS = 15;

/** A parameter as the pipeline declares it. */
export const ZParamDeclaration = z
  .object({
    name: z.string().regex(PARAM_NAME_PATTERN, "a parameter name starts with a letter or _ and has at most 64 letters, digits or _"),
    type: z.enum(PARAM_TYPES),
    /** A run without a value (and without a default) is refused. Default: false. */
    required: z.boolean().optional(),
    /** Used when a run gives no value; a scheduled or dependency run always does. */
    default: z.union([z.string().max(10_000), z.number(), z.boolean()]).optional(),
    description: z.string().max(500).optional(),
  })
  .superRefine((param, ctx) => {
    if (param.default === undefined) return;
    const coerced = coerceParamValue(param.type, param.default);
    if (!coerced.ok) ctx.addIssue({ code: "custom", path: ["default"], message: `the default of "${param.name}" ${coerced.message}` });
  });
export type TParamDeclaration = z.infer<typeof ZParamDeclaration>;

export const ZParamDeclarations = z
  .array(ZParamDeclaration)
  .max(100)
  .superRefine((params, ctx) => {
    const seen = new Set<string>();
    params.forEach((param, index) => {
      if (seen.has(param.name)) ctx.addIssue({ code: "custom", path: [index, "name"], message: `two parameters are named "${param.name}"` });
      seen.add(param.name);
    });
  });

/** What a declared type expects, for messages. */
const EXPECTED: Record<TParamType, string> = {
  string: "text",
  number: "a number such as 42 or -2.5",
  boolean: "true or false",
  date: "a date as YYYY-MM-DD",
};

/**
 * Reads `value` as `type`, converting only when nothing is lost: "42" is the number 42, 42 is
 * the text "42", "true" is true; "1e3", "42abc", 1 for a boolean or 2024-02-30 are refused.
 */
export function coerceParamValue(type: TParamType, value: unknown): { ok: true; value: TParamValue } | { ok: false; message: string } {
  const refuse = { ok: false as const, message: `must be ${EXPECTED[type]}, not ${JSON.stringify(value)?.slice(0, 80) ?? String(value)}` };
  switch (type) {
    case "string":
      if (typeof value === "string") return { ok: true, value };
      if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return { ok: true, value: String(value) };
      return refuse;
    case "number": {
      if (typeof value === "number") return Number.isFinite(value) ? { ok: true, value } : refuse;
      if (typeof value !== "string" || !NUMBER_PATTERN.test(value)) return refuse;
      if (value.replace(/^-/, "").replace(".", "").replace(/^0+/, "").length > EXACT_DIGITS) {
        return { ok: false, message: `has more than ${EXACT_DIGITS} digits, which a number cannot hold exactly: ${value}` };
      }
      return { ok: true, value: Number(value) };
    }
    case "boolean":
      if (typeof value === "boolean") return { ok: true, value };
      if (value === "true" || value === "false") return { ok: true, value: value === "true" };
      return refuse;
    case "date": {
      const match = typeof value === "string" ? DATE_PATTERN.exec(value) : null;
      if (!match || !isRealDate(Number(match[1]), Number(match[2]), Number(match[3]))) return refuse;
      return { ok: true, value: value as string };
    }
  }
}

export interface TParamProblem {
  /** The parameter concerned. */
  name: string;
  message: string;
}

/**
 * A run's parameters checked against the declaration: unknown names and missing required
 * ones refused, values converted only when exact, defaults filled in. Every problem at once.
 */
export function resolveRunParams(
  declared: readonly TParamDeclaration[],
  given: Record<string, unknown>,
): { ok: true; values: Record<string, TParamValue> } | { ok: false; problems: TParamProblem[] } {
  const problems: TParamProblem[] = [];
  const byName = new Map(declared.map((p) => [p.name, p]));
  for (const name of Object.keys(given)) {
    if (byName.has(name)) continue;
    problems.push({
      name,
      message:
        declared.length === 0
          ? `"${name}" is not a parameter of this pipeline: it declares none`
          : `"${name}" is not a parameter of this pipeline (it declares ${declared.map((p) => p.name).join(", ")})`,
    });
  }
  const values: Record<string, TParamValue> = {};
  for (const param of declared) {
    const raw = Object.hasOwn(given, param.name) ? given[param.name] : undefined;
    if (raw === undefined || raw === null || raw === "") {
      if (param.default !== undefined) values[param.name] = coerceOrThrow(param.type, param.default);
      else if (param.required) problems.push({ name: param.name, message: `"${param.name}" is required: give it a value` });
      continue;
    }
    const coerced = coerceParamValue(param.type, raw);
    if (coerced.ok) values[param.name] = coerced.value;
    else problems.push({ name: param.name, message: `"${param.name}" ${coerced.message}` });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

function coerceOrThrow(type: TParamType, value: unknown): TParamValue {
  const coerced = coerceParamValue(type, value);
  if (!coerced.ok) throw new Error(`unreachable: a declared default ${coerced.message}`);
  return coerced.value;
}

// ─── references ───────────────────────────────────────────────────────────────────────────

/** `{{params.name}}`, spaces allowed inside the braces; the name is checked against the declaration. */
const REFERENCE = /\{\{\s*params\.([^{}\s]*)\s*\}\}/g;
const WHOLE_REFERENCE = /^\{\{\s*params\.([^{}\s]*)\s*\}\}$/;

/** The names `text` references, in order. */
export function referencedParams(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[1]!);
}

/** Each reference's offset in an expression that sits inside quotes, where a value would not be a value. */
function quotedReferences(text: string): string[] {
  const quoted: string[] = [];
  let quote: string | undefined;
  let from = 0;
  for (const match of text.matchAll(REFERENCE)) {
    for (let i = from; i < match.index; i++) {
      const char = text[i];
      if (quote) {
        if (char === quote) quote = undefined;
      } else if (char === "'" || char === '"') quote = char;
    }
    from = match.index + match[0].length;
    if (quote) quoted.push(match[1]!);
  }
  return quoted;
}

const EXPRESSION_TYPE: Record<TParamType, string> = { string: "text", number: "number", boolean: "boolean", date: "date" };

/** A value as an expression-language literal of the declared type; absent is a typed NULL. */
function expressionLiteral(type: TParamType, value: TParamValue | undefined): string {
  if (value === undefined) return `CAST(NULL AS ${EXPRESSION_TYPE[type]})`;
  if (type === "boolean") return value ? "TRUE" : "FALSE";
  // Quoted and cast even for numbers: a number's type stays the same whatever its value, and a
  // leading minus can never meet one before it to make a comment.
  return `CAST('${String(value).replaceAll("'", "''")}' AS ${EXPRESSION_TYPE[type]})`;
}

/** Where a config's settings are expressions, as JSON paths with `*` for array items. */
export type TExpressionPaths = ReadonlySet<string>;

interface JsonSchemaNode {
  widget?: string;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
}

const expressionPathsBySchema = new WeakMap<z.ZodType, TExpressionPaths>();

/** The config paths whose widget is `expression` (from `.meta()` on the node's config schema). */
export function expressionPaths(schema: z.ZodType): TExpressionPaths {
  const known = expressionPathsBySchema.get(schema);
  if (known) return known;
  const paths = new Set<string>();
  const walk = (node: JsonSchemaNode | undefined, path: string, depth: number) => {
    if (!node || depth > 16) return;
    if (node.widget === "expression") paths.add(path);
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, path ? `${path}.${key}` : key, depth + 1);
    walk(node.items, path ? `${path}.*` : "*", depth + 1);
    for (const alternative of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) walk(alternative, path, depth + 1);
  };
  walk(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode, "", 0);
  expressionPathsBySchema.set(schema, paths);
  return paths;
}

export interface TReferenceProblem {
  /** Path into the config of the setting concerned. */
  path: (string | number)[];
  message: string;
}

/**
 * Replaces every reference in `config` by its value, as the setting's kind wants it (see the
 * module comment). `values` holds a value per declared parameter that has one; a declared
 * parameter without one is a typed NULL in expressions, nothing as a whole setting, and empty
 * text inside one. Problems: a reference to an undeclared name, or one inside quotes in an
 * expression. Never throws on bad input.
 */
export function substituteParams(
  config: unknown,
  options: { declared: readonly TParamDeclaration[]; values: Record<string, TParamValue>; expressions: TExpressionPaths },
): { config: unknown; problems: TReferenceProblem[] } {
  const byName = new Map(options.declared.map((p) => [p.name, p]));
  const problems: TReferenceProblem[] = [];
  const undeclared = (name: string, path: (string | number)[]) =>
    problems.push({
      path,
      message:
        name === ""
          ? "{{params.}} names no parameter: write {{params.name}}"
          : `{{params.${name}}} names no declared parameter${options.declared.length ? ` (declared: ${options.declared.map((p) => p.name).join(", ")})` : ": declare it under Parameters"}`,
    });
  const valueOf = (name: string) => (Object.hasOwn(options.values, name) ? options.values[name] : undefined);

  const resolveString = (text: string, path: (string | number)[]): unknown => {
    if (!text.includes("{{")) return text;
    const schemaPath = path.map((p) => (typeof p === "number" ? "*" : p)).join(".");
    if (options.expressions.has(schemaPath)) {
      for (const name of quotedReferences(text)) {
        problems.push({ path, message: `write {{params.${name}}} without quotes around it: it stands for a value of its own type` });
      }
      return text.replace(REFERENCE, (whole, name: string) => {
        const param = byName.get(name);
        if (!param) {
          undeclared(name, path);
          return whole;
        }
        return expressionLiteral(param.type, valueOf(name));
      });
    }
    const whole = WHOLE_REFERENCE.exec(text);
    if (whole) {
      const name = whole[1]!;
      if (!byName.has(name)) {
        undeclared(name, path);
        return text;
      }
      return valueOf(name);
    }
    return text.replace(REFERENCE, (match, name: string) => {
      if (!byName.has(name)) {
        undeclared(name, path);
        return match;
      }
      const value = valueOf(name);
      return value === undefined ? "" : String(value);
    });
  };

  const walk = (value: unknown, path: (string | number)[], depth: number): unknown => {
    if (typeof value === "string") return resolveString(value, path);
    if (depth > 64 || typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index], depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = walk(item, [...path, key], depth + 1);
      if (resolved !== undefined) out[key] = resolved;
    }
    return out;
  };
  return { config: walk(config, [], 0), problems };
}

const ONE_EXPRESSION: TExpressionPaths = new Set([""]);

/**
 * An expression as a run would see it with the stand-in values below: what the editor checks
 * while it is typed. Null when a reference is wrong (undeclared, or inside quotes): that problem
 * is the one to show, not the syntax errors it causes.
 */
export function expressionAtDesignTime(text: string, declared: readonly TParamDeclaration[]): string | null {
  if (!text.includes("{{")) return text;
  const resolved = substituteParams(text, { declared, values: designTimeValues(declared), expressions: ONE_EXPRESSION });
  return resolved.problems.length === 0 && typeof resolved.config === "string" ? resolved.config : null;
}

/**
 * Stand-in values while a pipeline is edited or saved, before any run gives real ones: each
 * parameter's default, or none (a typed NULL in expressions), so types and references are
 * checked exactly as a run will check them.
 */
export function designTimeValues(declared: readonly TParamDeclaration[]): Record<string, TParamValue> {
  const values: Record<string, TParamValue> = {};
  for (const param of declared) {
    if (param.default === undefined) continue;
    const coerced = coerceParamValue(param.type, param.default);
    if (coerced.ok) values[param.name] = coerced.value;
  }
  return values;
}
