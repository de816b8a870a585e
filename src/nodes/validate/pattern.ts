/**
 * The `pattern` rule's regular expressions. A pattern runs in two engines, JavaScript
 * (streaming validator, editor, quarantine screen) and PostgreSQL (SQL validation), whose
 * dialects differ: `\d`, `\w`, `\s` and `.` mean different things, PostgreSQL caps
 * `{n,m}` at 255, and so on. So a pattern is parsed here, once, and written out in both
 * dialects from the parse, using only constructs both engines read the same way. Anything
 * outside that subset is refused with a message naming it, rather than behaving
 * differently in the two places.
 *
 * Semantics: the pattern must match the whole value (it is wrapped in `^(?:…)$`), is
 * case-sensitive, `.` matches any character including a newline, `\d` is `[0-9]`, `\w` is
 * `[A-Za-z0-9_]`, `\s` is `[ \t\n\r\f\v]`. Whether a value matches does not depend on
 * greedy or lazy quantifiers, so lazy ones are accepted and written greedy.
 *
 * Time: a match costs time linear in the value, whatever the pattern (`^(a+)+$` against
 * 50 000 `a`s and a `!` is no slower than any other pattern). In JavaScript (streaming
 * validator, preview, browser) patterns run on RE2 (`re2js`, pure JavaScript), never on the
 * backtracking `RegExp`. In PostgreSQL they stay on `~`: its engine (Spencer's) matches with
 * a DFA and backtracks only to report capture groups or to follow back-references, and the
 * dialect written here has neither (every group is `(?:…)`, `\1` is refused), while RE2's
 * size limits, checked here at save time, bound the automaton both engines build. So a
 * pattern RE2 cannot run in linear time and bounded size is refused when the pipeline is
 * saved, with RE2's reason, and both engines agree on everything accepted.
 */
import { RE2JS } from "re2js";

/** The most a `{n,m}` bound may say: PostgreSQL's RE_DUP_MAX. */
export const MAX_REPEAT = 255;
export const MAX_PATTERN_LENGTH = 1000;

export interface CompiledPattern {
  /** The pattern as the user wrote it. */
  source: string;
  /** Whether the whole value matches, in time linear in its length (RE2). */
  test: (value: string) => boolean;
  /** The same language in PostgreSQL's ARE syntax, anchored, for `value ~ $n`. */
  postgres: string;
}

export class PatternError extends Error {}

const SHORTHAND_CLASS: Record<string, { js: string; pg: string }> = {
  d: { js: "0-9", pg: "0-9" },
  w: { js: "A-Za-z0-9_", pg: "A-Za-z0-9_" },
  s: { js: " \\t\\n\\r\\f\\v", pg: " \\t\\n\\r\\f\\v" },
};
const CONTROL_ESCAPES: Record<string, string> = { t: "\\t", n: "\\n", r: "\\r", f: "\\f", v: "\\v" };
/** Characters escaped inside a class: `[` also because PostgreSQL reads `[:` `[.` `[=` specially. */
const CLASS_SYNTAX = new Set([..."\\]-^["]);

/**
 * Parses `source` and returns it compiled for both engines, or throws {@link PatternError}
 * with a message for people (position counted from 1).
 */
export function compilePattern(source: string): CompiledPattern {
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  if (source.includes("\u0000")) throw new PatternError("the pattern contains a NUL character");
  const out = new Parser([...source]).parse();
  // testExact anchors at both ends itself, and takes RE2's fastest path for a yes/no answer.
  const re2 = compileRe2(out.js);
  return {
    source,
    test: (value) => re2.testExact(value),
    postgres: `^(?:${out.pg})$`,
  };
}

function compileRe2(expression: string): RE2JS {
  try {
    return RE2JS.compile(`(?:${expression})`, RE2JS.DOTALL);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : String(error);
    if (/repeat count|too large/.test(reason)) {
      throw new PatternError(
        `the pattern is too large to run in linear time (${reason}): nested repeats multiply, keep their product under 1000`,
      );
    }
    throw new PatternError(`the linear-time regular expression engine (RE2) cannot run it: ${reason}`);
  }
}

/** Why `source` is not a usable pattern, or null when it is. */
export function patternProblem(source: string): string | null {
  try {
    compilePattern(source);
    return null;
  } catch (error) {
    if (error instanceof PatternError) return error.message;
    // RE2 refused what this parser accepted without saying why in its own terms: still the user's pattern at fault.
    return error instanceof Error ? error.message : String(error);
  }
}

interface Emitted {
  js: string;
  pg: string;
}

class Parser {
  private pos = 0;
  constructor(private readonly chars: string[]) {}

  parse(): Emitted {
    const result = this.alternation();
    if (this.pos < this.chars.length) {
      // Only a stray ")" stops the alternation early.
      this.fail(`unmatched ")"`);
    }
    return result;
  }

  private fail(message: string, at = this.pos): never {
    throw new PatternError(`${message} at position ${at + 1}`);
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  private alternation(): Emitted {
    const branches = [this.sequence()];
    while (this.peek() === "|") {
      this.pos++;
      branches.push(this.sequence());
    }
    return { js: branches.map((b) => b.js).join("|"), pg: branches.map((b) => b.pg).join("|") };
  }

  private sequence(): Emitted {
    let js = "";
    let pg = "";
    for (let c = this.peek(); c !== undefined && c !== "|" && c !== ")"; c = this.peek()) {
      const start = this.pos;
      const atom = this.atom();
      const quantifier = this.quantifier();
      if (quantifier !== "") {
        if (!atom.repeatable) this.fail(`"${this.chars[start]}" cannot be repeated`, start);
        js += atom.js + quantifier;
        pg += atom.pg + quantifier;
      } else {
        js += atom.js;
        pg += atom.pg;
      }
    }
    return { js, pg };
  }

  private atom(): Emitted & { repeatable: boolean } {
    const c = this.peek();
    const start = this.pos;
    this.pos++;
    switch (c) {
      case "(": {
        if (this.peek() === "?") {
          if (this.peek(1) !== ":") this.fail(`"(?" groups other than "(?:" (lookaround, named groups) are not supported`, start);
          this.pos += 2;
        }
        const inner = this.alternation();
        if (this.peek() !== ")") this.fail(`unclosed "("`, start);
        this.pos++;
        return { js: `(?:${inner.js})`, pg: `(?:${inner.pg})`, repeatable: true };
      }
      case "[":
        return { ...this.characterClass(start), repeatable: true };
      case ".":
        return { js: ".", pg: ".", repeatable: true };
      case "^":
      case "$":
        return { js: c, pg: c, repeatable: false };
      case "\\":
        return { ...this.escape(start), repeatable: true };
      case "*":
      case "+":
      case "?":
        return this.fail(`"${c}" has nothing to repeat`, start);
      case "{":
        if (this.looksLikeBound()) this.fail(`"{" has nothing to repeat`, start);
        return { js: "\\{", pg: "\\{", repeatable: true };
      case "}":
      case "]":
        return { js: `\\${c}`, pg: `\\${c}`, repeatable: true };
      default: {
        const literal = c ?? "";
        return { js: literal, pg: literal, repeatable: true };
      }
    }
  }

  private escape(start: number): Emitted {
    const c = this.peek();
    if (c === undefined) this.fail(`the pattern ends with a lone "\\"`, start);
    this.pos++;
    const shorthand = SHORTHAND_CLASS[c.toLowerCase()];
    if (shorthand) {
      const negated = c !== c.toLowerCase();
      return {
        js: `[${negated ? "^" : ""}${shorthand.js}]`,
        pg: `[${negated ? "^" : ""}${shorthand.pg}]`,
      };
    }
    const control = CONTROL_ESCAPES[c];
    if (control) return { js: control, pg: control };
    if (/^[A-Za-z0-9]$/.test(c)) {
      this.fail(`"\\${c}" is not supported (use a character class such as [0-9] instead)`, start);
    }
    return { js: `\\${c}`, pg: `\\${c}` };
  }

  private characterClass(start: number): Emitted {
    let negated = false;
    if (this.peek() === "^") {
      negated = true;
      this.pos++;
    }
    let js = "";
    let pg = "";
    let count = 0;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail(`unclosed "["`, start);
      if (c === "]") {
        this.pos++;
        break;
      }
      const itemStart = this.pos;
      const first = this.classChar();
      count++;
      if (first.kind === "set") {
        js += first.js;
        pg += first.pg;
        continue;
      }
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        this.pos++;
        const last = this.classChar();
        if (last.kind === "set") this.fail(`a range cannot end in a shorthand class`, itemStart);
        if ((first.char.codePointAt(0) ?? 0) > (last.char.codePointAt(0) ?? 0)) {
          this.fail(`the range "${first.char}-${last.char}" is out of order`, itemStart);
        }
        js += `${classLiteral(first.char)}-${classLiteral(last.char)}`;
        pg += `${classLiteral(first.char)}-${classLiteral(last.char)}`;
      } else {
        js += classLiteral(first.char);
        pg += classLiteral(first.char);
      }
    }
    if (count === 0) this.fail(`an empty character class matches ${negated ? "anything" : "nothing"}`, start);
    const prefix = negated ? "^" : "";
    return { js: `[${prefix}${js}]`, pg: `[${prefix}${pg}]` };
  }

  private classChar(): { kind: "char"; char: string } | { kind: "set"; js: string; pg: string } {
    const c = this.peek() ?? "";
    const start = this.pos;
    this.pos++;
    if (c !== "\\") return { kind: "char", char: c };
    const e = this.peek();
    if (e === undefined) this.fail(`the pattern ends with a lone "\\"`, start);
    this.pos++;
    const shorthand = SHORTHAND_CLASS[e];
    if (shorthand) return { kind: "set", js: shorthand.js, pg: shorthand.pg };
    if (SHORTHAND_CLASS[e.toLowerCase()]) {
      this.fail(`"\\${e}" inside [...] is not supported (write the negated class [^...] instead)`, start);
    }
    const control = { t: "\t", n: "\n", r: "\r", f: "\f", v: "\v" }[e];
    if (control !== undefined) return { kind: "char", char: control };
    if (/^[A-Za-z0-9]$/.test(e)) this.fail(`"\\${e}" is not supported inside [...]`, start);
    return { kind: "char", char: e };
  }

  private looksLikeBound(): boolean {
    return /^\{[0-9]+(,[0-9]*)?\}/.test(this.chars.slice(this.pos - 1, this.pos + 12).join(""));
  }

  /** Reads an optional quantifier and returns it normalised (greedy), or "". */
  private quantifier(): string {
    const c = this.peek();
    let q = "";
    if (c === "*" || c === "+" || c === "?") {
      this.pos++;
      q = c;
    } else if (c === "{") {
      const rest = this.chars.slice(this.pos).join("");
      const m = /^\{([0-9]+)(,([0-9]*))?\}/.exec(rest);
      if (!m) return "";
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? undefined : Number(m[3]);
      if (min > MAX_REPEAT || (max !== undefined && max > MAX_REPEAT)) {
        this.fail(`repeat counts above ${MAX_REPEAT} are not supported`);
      }
      if (max !== undefined && max < min) this.fail(`the repeat "${m[0]}" has its bounds out of order`);
      this.pos += [...m[0]].length;
      q = m[2] === undefined ? `{${min}}` : `{${min},${max ?? ""}}`;
    }
    if (q !== "" && this.peek() === "?") this.pos++;
    const next = this.peek();
    if (q !== "" && (next === "*" || next === "+" || next === "?" || (next === "{" && this.nextIsBound()))) {
      this.fail(`a quantifier cannot follow another quantifier (group the first one)`);
    }
    return q;
  }

  private nextIsBound(): boolean {
    return /^\{[0-9]+(,[0-9]*)?\}/.test(this.chars.slice(this.pos, this.pos + 12).join(""));
  }
}

function classLiteral(c: string): string {
  if (CLASS_SYNTAX.has(c)) return `\\${c}`;
  const control = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f", "\v": "\\v" }[c];
  return control ?? c;
}

