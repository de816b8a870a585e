/**
 * Text PostgreSQL cannot keep as sent: it refuses NUL (U+0000) in text and jsonb, and a lone
 * UTF-16 surrogate (a broken emoji half, `"\ud800"` in JSON) has no UTF-8 form, so the driver
 * would store U+FFFD in its place and the value would silently change. Every JSON entry point
 * refuses such input up front, naming where it is, instead of failing in the database (500)
 * or storing something else than was sent.
 */

/** Keys and array indexes from the root to a value, as `a.b[2].c`. */
function describePath(path: readonly (string | number)[]): string {
  let text = "";
  for (const part of path) text += typeof part === "number" ? `[${part}]` : text === "" ? part : `.${part}`;
  return text;
}

/** A high surrogate without its low half after it, or a low one without its high half before it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function problemOf(text: string): string | null {
  if (text.includes("\u0000")) return "a NUL character (U+0000), which cannot be stored; remove it";
  if (LONE_SURROGATE.test(text)) return "a lone UTF-16 surrogate (half of a character such as an emoji), which has no UTF-8 form; send the whole character";
  return null;
}

/**
 * The first string (value or key) in parsed JSON that cannot be stored, as a sentence for the
 * caller; null when all can. Depth is bounded before parsing (MAX_JSON_DEPTH), so the walk
 * cannot recurse too deep.
 */
export function unstorableTextProblem(value: unknown, what: string, path: (string | number)[] = []): string | null {
  const at = () => (path.length === 0 ? what : `${what} at ${describePath(path)}`);
  if (typeof value === "string") {
    const problem = problemOf(value);
    return problem === null ? null : `${at()} contains ${problem}`;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableTextProblem(value[i], what, [...path, i]);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const keyProblem = problemOf(key);
      if (keyProblem !== null) return `${at()} has a key that contains ${keyProblem}`;
      const found = unstorableTextProblem(inner, what, [...path, key]);
      if (found !== null) return found;
    }
  }
  return null;
}
