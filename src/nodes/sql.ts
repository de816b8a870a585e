/**
 * A tiny SQL builder: user text never becomes SQL text. Identifiers pass through
 * {@link ident} (validated, then double-quoted); values become `$n` parameters.
 * Pure (no `pg` import) so node modules can use it and the editor can still import them.
 */

export interface Sql {
  readonly strings: readonly string[];
  readonly values: readonly SqlPart[];
}

type SqlPart = Sql | Identifier | Raw | Param;

interface Identifier {
  readonly kind: "ident";
  readonly quoted: string;
}
interface Raw {
  readonly kind: "raw";
  readonly text: string;
}
interface Param {
  readonly kind: "param";
  readonly value: unknown;
}

const MAX_IDENTIFIER_BYTES = 63;
const utf8 = new TextEncoder();

export class InvalidIdentifierError extends Error {
  constructor(
    readonly identifier: string,
    reason: string,
  ) {
    super(`Invalid name ${JSON.stringify(identifier)}: ${reason}`);
  }
}

/** Why `name` cannot be a PostgreSQL identifier, or null when it can. */
export function identifierProblem(name: string): string | null {
  if (name.length === 0) return "it is empty";
  if (name.includes("\u0000")) return "it contains a NUL character";
  if (utf8.encode(name).length > MAX_IDENTIFIER_BYTES)
    return `it is longer than ${MAX_IDENTIFIER_BYTES} bytes, PostgreSQL's limit`;
  return null;
}

/** A validated, quoted identifier. Dotted paths are passed as separate arguments. */
export function ident(...path: string[]): Identifier {
  for (const part of path) {
    const problem = identifierProblem(part);
    if (problem) throw new InvalidIdentifierError(part, problem);
  }
  return { kind: "ident", quoted: path.map((p) => `"${p.replaceAll('"', '""')}"`).join(".") };
}

/** A value sent as a bind parameter. */
export function param(value: unknown): Param {
  return { kind: "param", value };
}

/** Trusted SQL text written in this codebase (keywords, operators). Never user text. */
export function raw(text: string): Raw {
  return { kind: "raw", text };
}

function isPart(value: unknown): value is SqlPart {
  return (
    typeof value === "object" &&
    value !== null &&
    ("strings" in value || ("kind" in value && ["ident", "raw", "param"].includes((value as { kind: string }).kind)))
  );
}

/** Tagged template: interpolated values become parameters unless they are Sql/ident/raw parts. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return { strings: [...strings], values: values.map((v) => (isPart(v) ? v : param(v))) };
}

/** Joins fragments with a trusted separator (", " by default). */
export function join(parts: readonly (Sql | Identifier | Raw | Param)[], separator = ", "): Sql {
  if (parts.length === 0) return sql``;
  const strings = ["", ...parts.slice(1).map(() => separator), ""];
  return { strings, values: [...parts] };
}

/**
 * Renders to `{ text, values }` for `pg`. `literalValues` inlines values as quoted
 * literals instead, which DDL such as `CREATE VIEW` requires (it cannot take parameters).
 */
export function render(query: Sql, options: { literalValues?: boolean } = {}): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const walk = (q: Sql): string => {
    let text = q.strings[0] ?? "";
    q.values.forEach((part, i) => {
      if ("strings" in part) text += walk(part);
      else if (part.kind === "ident") text += part.quoted;
      else if (part.kind === "raw") text += part.text;
      else if (options.literalValues) text += literal(part.value);
      else {
        values.push(part.value);
        text += `$${values.length}`;
      }
      text += q.strings[i + 1] ?? "";
    });
    return text;
  };
  const text = walk(query);
  return { text, values };
}

/** A safe SQL literal for DDL contexts, where bind parameters are not allowed. */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} as a SQL literal`);
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text.includes("\u0000")) throw new Error("SQL literals cannot contain NUL characters");
  // E'' literals make backslashes explicit, so the result does not depend on standard_conforming_strings.
  return `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
