/**
 * A byte-level JSON parser for one record at a time, the JSON counterpart of the CSV
 * scanner: it validates the record's syntax (RFC 8259) and puts the bounds of the values
 * the source reads into reusable typed arrays, one slot per column. Keys are matched
 * against the column paths through a {@link PathTrie} by hashing their bytes, so a record
 * costs no object and no string (except keys written with escapes, which are rare).
 *
 * Where a value lands:
 * - Each object key extends the path (`address` then `address.city`); the trie knows which
 *   paths are columns and which are prefixes of columns (objects to descend into).
 * - An object at a path that is a `json` column, and any array at a column's path, is kept
 *   whole: its bounds are captured, brackets included.
 * - An object at a prefix path is descended into; a scalar or array at a prefix path (the
 *   source expects an object there) is a mismatch, reported in {@link JsonRecordParser.mismatches}.
 * - A key whose path is neither is ignored and counted.
 * - A key repeated in one object: the last value wins, as in JSON.parse and jsonb.
 */
import { MAX_JSON_DEPTH } from "@/nodes/values";
import { fnv1a } from "../staging/fnv1a";

export const VALUE_NONE = 0;
export const VALUE_NULL = 1;
export const VALUE_STRING = 2;
export const VALUE_NUMBER = 3;
export const VALUE_TRUE = 4;
export const VALUE_FALSE = 5;
export const VALUE_OBJECT = 6;
export const VALUE_ARRAY = 7;

/** What a JSON value is, for messages: "an object", "a number"… */
export const VALUE_NOUNS = ["nothing", "null", "a text", "a number", "a boolean", "a boolean", "an object", "an array"] as const;

/** {@link JsonRecordParser.parse}: more bytes are needed (the end is not final). */
export const PARSE_INCOMPLETE = -1;
/** {@link JsonRecordParser.parse}: the bytes are not JSON; see `error` and `errorAt`. */
export const PARSE_ERROR = -2;

/** No trie node: a value that is not read (inside a kept or ignored value, or an array element). */
const SKIP = -1;
const ROOT = 0;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;

const TWO_POW_32 = 4294967296;
/** Longer numbers may pass numeric's limits of digits (16383 after the point). */
const LONG_NUMBER = 16000;
const MAX_EXAMPLES = 5;

interface Edge {
  child: number;
  key: Buffer;
}

/**
 * Column paths as a graph of trie nodes. A node stands for a dotted path; an edge is one
 * object key leading from a path to a longer one. With flattening, a column `a.b.c` is
 * reached through `{"a":{"b":{"c":…}}}`, `{"a.b":{"c":…}}`, `{"a":{"b.c":…}}` or
 * `{"a.b.c":…}` alike, so every split of its name at a dot is an edge.
 */
export class PathTrie {
  /** The dotted path of each node ("" for the root). */
  readonly paths: string[] = [""];
  /** The column each node is read into, -1 for none. */
  readonly columns: number[] = [-1];
  /** Whether any key leads on from the node: an object there is descended into. */
  readonly hasChildren: boolean[] = [false];
  /** Discovery only: an object was seen (and descended into) at the node's path. */
  readonly sawObject: boolean[] = [false];
  private readonly byPath = new Map<string, number>();
  private readonly edges = new Map<number, Edge[]>();

  get size(): number {
    return this.paths.length;
  }

  /** The node of a (non-root) path, created when new. */
  nodeOf(path: string): number {
    const known = this.byPath.get(path);
    if (known !== undefined) return known;
    const id = this.paths.length;
    this.paths.push(path);
    this.columns.push(-1);
    this.hasChildren.push(false);
    this.sawObject.push(false);
    this.byPath.set(path, id);
    return id;
  }

  addEdge(parent: number, key: string, child: number): void {
    const bytes = Buffer.from(key, "utf8");
    const slot = parent * TWO_POW_32 + fnv1a(bytes, 0, bytes.length);
    const list = this.edges.get(slot);
    if (list?.some((e) => e.key.equals(bytes))) return;
    if (list) list.push({ child, key: bytes });
    else this.edges.set(slot, [{ child, key: bytes }]);
    this.hasChildren[parent] = true;
  }

  /** The node the key bytes [start, end) lead to from `parent`, or -1. */
  child(parent: number, buf: Uint8Array, start: number, end: number): number {
    const list = this.edges.get(parent * TWO_POW_32 + fnv1a(buf, start, end));
    if (list === undefined) return -1;
    const length = end - start;
    for (const edge of list) {
      const key = edge.key;
      if (key.length !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (key[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return edge.child;
    }
    return -1;
  }

  /** The path a key leads to from a node: the key itself below the root. */
  childPath(parent: number, key: string): string {
    return parent === ROOT ? key : `${this.paths[parent]}.${key}`;
  }
}

/**
 * The trie of a source's columns. With `flatten`, a column's name is a dotted path;
 * without, every column is a top-level key named exactly like it.
 */
export function columnTrie(names: readonly string[], flatten: boolean): PathTrie {
  const trie = new PathTrie();
  names.forEach((name, column) => {
    const node = trie.nodeOf(name);
    trie.columns[node] = column;
    trie.addEdge(ROOT, name, node);
    if (!flatten) return;
    const dots: number[] = [];
    for (let i = name.indexOf("."); i >= 0; i = name.indexOf(".", i + 1)) dots.push(i);
    const ends = [...dots, name.length];
    for (const end of ends) {
      const to = trie.nodeOf(name.slice(0, end));
      trie.addEdge(ROOT, name.slice(0, end), to);
      for (const dot of dots) {
        if (dot >= end) break;
        trie.addEdge(trie.nodeOf(name.slice(0, dot)), name.slice(dot + 1, end), to);
      }
    }
  });
  return trie;
}

function isWhitespace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** The first position at or after `p` that is not JSON whitespace (or `end`). */
export function skipWhitespace(buf: Uint8Array, p: number, end: number): number {
  while (p < end && isWhitespace(buf[p])) p++;
  return p;
}

/** A byte for a message: the character when printable, else its hex code. */
export function describeByteAt(buf: Buffer, p: number, end: number): string {
  const b = buf[p] as number;
  if (b >= 0x20 && b < 0x7f) return JSON.stringify(String.fromCharCode(b));
  if (b >= 0x80) {
    const char = buf.toString("utf8", p, Math.min(end, p + 4)).codePointAt(0);
    if (char !== undefined && char !== 0xfffd) return JSON.stringify(String.fromCodePoint(char));
  }
  return `the byte 0x${b.toString(16).padStart(2, "0")}`;
}

/** The text of a JSON string's bytes, quotes included, escapes decoded. */
export function decodeJsonString(buf: Buffer, start: number, end: number): string {
  const value: unknown = JSON.parse(buf.toString("utf8", start, end));
  if (typeof value !== "string") throw new Error("not a JSON string");
  return value;
}

function isHex(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

export interface TParserOptions {
  /** Per column: 1 when its type is json (an object there is kept whole, not descended into). */
  jsonColumns?: Uint8Array;
  /**
   * Inspection: unknown keys become new trie nodes and columns instead of being ignored.
   * Objects are descended into when `flatten`, else kept whole.
   */
  discover?: { flatten: boolean; maxNodes: number };
}

export class JsonRecordParser {
  /** Per column: the kind of value the record holds there (VALUE_NONE when absent). */
  kinds: Uint8Array;
  /** Per column: the value's bytes, without a string's quotes, with a container's brackets. */
  starts: Int32Array;
  ends: Int32Array;
  /**
   * Per column: 1 for a string holding escapes (decode it with {@link decodeJsonString}),
   * or for a kept object or array holding escapes or exponent numbers: text jsonb may
   * refuse (`\u0000`, unpaired surrogates, numbers past numeric's limits), to be checked.
   */
  escaped: Uint8Array;
  /** The kind of the record's top-level value. */
  rootKind = VALUE_NONE;
  /** Values where an object was expected: node, kind, start, end per entry. */
  readonly mismatches: number[] = [];
  /** Keys of the last parsed record that are not columns and were skipped. */
  recordIgnored = 0;
  /** A few paths of ignored keys, over every record parsed. */
  readonly ignoredExamples: string[] = [];
  /** Why the last parse failed, and the position. */
  error = "";
  errorAt = 0;

  private stackObject = new Uint8Array(MAX_JSON_DEPTH);
  private stackNode = new Int32Array(MAX_JSON_DEPTH);
  /** Per open container: the column capturing it, -1 for none, `-2 - node` for a mismatch. */
  private stackCapture = new Int32Array(MAX_JSON_DEPTH);
  private stackStart = new Int32Array(MAX_JSON_DEPTH);
  /** Per open container: {@link unusual} when it opened. */
  private stackUnusual = new Int32Array(MAX_JSON_DEPTH);
  /** Escaped strings and exponent or very long numbers scanned so far. */
  private unusual = 0;
  private readonly jsonColumns: Uint8Array;
  private keyNode = SKIP;

  constructor(
    readonly trie: PathTrie,
    columnCount: number,
    private readonly options: TParserOptions = {},
  ) {
    const size = Math.max(columnCount, 16);
    this.kinds = new Uint8Array(size);
    this.starts = new Int32Array(size);
    this.ends = new Int32Array(size);
    this.escaped = new Uint8Array(size);
    this.jsonColumns = options.jsonColumns ?? new Uint8Array(0);
  }

  /**
   * Parses the JSON value at `start` (whitespace before it is skipped) within `end`.
   * Returns the position after the value, {@link PARSE_INCOMPLETE} when the value runs
   * past `end` and `final` is false, or {@link PARSE_ERROR}.
   */
  parse(buf: Buffer, start: number, end: number, final: boolean): number {
    this.kinds.fill(VALUE_NONE);
    this.rootKind = VALUE_NONE;
    this.mismatches.length = 0;
    this.recordIgnored = 0;
    let p = start;
    let depth = 0;
    let node = ROOT;
    let root = true;
    for (;;) {
      // A value starts here.
      p = skipWhitespace(buf, p, end);
      if (p >= end) return this.incomplete(final, p);
      const c = buf[p] as number;
      if (c === LBRACE || c === LBRACKET) {
        if (depth >= MAX_JSON_DEPTH) return this.fail(p, `nesting deeper than ${MAX_JSON_DEPTH} levels`);
        const isObject = c === LBRACE;
        let frameNode = SKIP;
        let capture = -1;
        if (root) {
          this.rootKind = isObject ? VALUE_OBJECT : VALUE_ARRAY;
          if (isObject) frameNode = ROOT;
        } else if (node >= 0) {
          const column = this.trie.columns[node] as number;
          const discover = this.options.discover;
          if (discover) {
            if (isObject && discover.flatten) {
              frameNode = node;
              this.trie.sawObject[node] = true;
            } else capture = column;
          } else if (isObject && !(column >= 0 && this.jsonColumns[column] === 1) && this.trie.hasChildren[node]) {
            frameNode = node;
          } else if (column >= 0) capture = column;
          else capture = -2 - node;
        }
        root = false;
        this.stackObject[depth] = isObject ? 1 : 0;
        this.stackNode[depth] = frameNode;
        this.stackCapture[depth] = capture;
        this.stackStart[depth] = p;
        this.stackUnusual[depth] = this.unusual;
        depth++;
        p = skipWhitespace(buf, p + 1, end);
        if (p >= end) return this.incomplete(final, p);
        if (buf[p] !== (isObject ? RBRACE : RBRACKET)) {
          if (isObject) {
            p = this.parseKey(buf, p, end, final, frameNode);
            if (p < 0) return p;
            node = this.keyNode;
          } else node = SKIP;
          continue;
        }
        p++;
        depth--;
        this.closeContainer(depth, p);
      } else {
        let kind: number;
        let a = p;
        let b: number;
        let escaped = 0;
        if (c === QUOTE) {
          const close = this.scanString(buf, p, end, final);
          if (close < 0) return close;
          kind = VALUE_STRING;
          a = p + 1;
          b = close;
          escaped = this.lastEscaped;
          p = close + 1;
        } else if (c === MINUS || isDigit(c)) {
          b = this.scanNumber(buf, p, end, final);
          if (b < 0) return b;
          kind = VALUE_NUMBER;
          p = b;
        } else {
          const word = c === 0x74 ? "true" : c === 0x66 ? "false" : c === 0x6e ? "null" : null;
          if (word === null) return this.fail(p, `unexpected ${describeByteAt(buf, p, end)}`);
          for (let i = 1; i < word.length; i++) {
            if (p + i >= end) return this.incomplete(final, p + i);
            if (buf[p + i] !== word.charCodeAt(i)) return this.fail(p, `unexpected ${describeByteAt(buf, p, end)}`);
          }
          kind = c === 0x74 ? VALUE_TRUE : c === 0x66 ? VALUE_FALSE : VALUE_NULL;
          b = p + word.length;
          p = b;
        }
        if (root) {
          this.rootKind = kind;
          root = false;
        } else if (node >= 0) this.scalarAt(node, kind, a, b, escaped);
      }
      // After a complete value: close containers, or move on to the next member.
      for (;;) {
        if (depth === 0) return p;
        p = skipWhitespace(buf, p, end);
        if (p >= end) return this.incomplete(final, p);
        const c2 = buf[p];
        const isObject = this.stackObject[depth - 1] === 1;
        if (c2 === COMMA) {
          p = skipWhitespace(buf, p + 1, end);
          if (isObject) {
            if (p >= end) return this.incomplete(final, p);
            p = this.parseKey(buf, p, end, final, this.stackNode[depth - 1] as number);
            if (p < 0) return p;
            node = this.keyNode;
          } else node = SKIP;
          break;
        }
        if (c2 === (isObject ? RBRACE : RBRACKET)) {
          p++;
          depth--;
          this.closeContainer(depth, p);
          continue;
        }
        return this.fail(p, `expected ',' or '${isObject ? "}" : "]"}' but found ${describeByteAt(buf, p, end)}`);
      }
    }
  }

  private closeContainer(depth: number, end: number): void {
    const capture = this.stackCapture[depth] as number;
    if (capture === -1) return;
    const kind = this.stackObject[depth] === 1 ? VALUE_OBJECT : VALUE_ARRAY;
    const start = this.stackStart[depth] as number;
    if (capture >= 0) this.capture(capture, kind, start, end, this.unusual === this.stackUnusual[depth] ? 0 : 1);
    else this.mismatches.push(-2 - capture, kind, start, end);
  }

  private scalarAt(node: number, kind: number, start: number, end: number, escaped: number): void {
    const column = this.trie.columns[node] as number;
    if (column >= 0) this.capture(column, kind, start, end, escaped);
    else if (kind !== VALUE_NULL) this.mismatches.push(node, kind, start, end);
  }

  private capture(column: number, kind: number, start: number, end: number, escaped: number): void {
    if (column >= this.kinds.length) this.grow(column + 1);
    this.kinds[column] = kind;
    this.starts[column] = start;
    this.ends[column] = end;
    this.escaped[column] = escaped;
  }

  private grow(size: number): void {
    const next = Math.max(size, this.kinds.length * 2);
    const kinds = new Uint8Array(next);
    kinds.set(this.kinds);
    const starts = new Int32Array(next);
    starts.set(this.starts);
    const ends = new Int32Array(next);
    ends.set(this.ends);
    const escaped = new Uint8Array(next);
    escaped.set(this.escaped);
    this.kinds = kinds;
    this.starts = starts;
    this.ends = ends;
    this.escaped = escaped;
  }

  /** Reads `"key"` and the colon after it; sets {@link keyNode}. Returns the position after the colon. */
  private parseKey(buf: Buffer, p: number, end: number, final: boolean, parent: number): number {
    if (buf[p] !== QUOTE) return this.fail(p, `expected a key in double quotes but found ${describeByteAt(buf, p, end)}`);
    const close = this.scanString(buf, p, end, final);
    if (close < 0) return close;
    let q = skipWhitespace(buf, close + 1, end);
    if (q >= end) return this.incomplete(final, q);
    if (buf[q] !== COLON) return this.fail(q, `expected ':' after a key but found ${describeByteAt(buf, q, end)}`);
    q++;
    if (parent < 0) {
      this.keyNode = SKIP;
      return q;
    }
    let child: number;
    let key: string | null = null;
    if (this.lastEscaped === 1) {
      key = decodeJsonString(buf, p, close + 1);
      const bytes = Buffer.from(key, "utf8");
      child = this.trie.child(parent, bytes, 0, bytes.length);
    } else child = this.trie.child(parent, buf, p + 1, close);
    if (child < 0) {
      key ??= buf.toString("utf8", p + 1, close);
      const discover = this.options.discover;
      if (discover && this.trie.size < discover.maxNodes) {
        child = this.trie.nodeOf(this.trie.childPath(parent, key));
        this.trie.addEdge(parent, key, child);
        if ((this.trie.columns[child] as number) < 0) this.trie.columns[child] = child - 1;
      } else {
        this.recordIgnored++;
        if (this.ignoredExamples.length < MAX_EXAMPLES) {
          const path = this.trie.childPath(parent, key);
          if (!this.ignoredExamples.includes(path)) this.ignoredExamples.push(path);
        }
      }
    }
    this.keyNode = child;
    return q;
  }

  private lastEscaped = 0;

  /** Scans the string opening at `p`; returns the position of its closing quote. */
  private scanString(buf: Buffer, p: number, end: number, final: boolean): number {
    let escaped = 0;
    let i = p + 1;
    while (i < end) {
      const b = buf[i] as number;
      if (b === QUOTE) {
        this.lastEscaped = escaped;
        this.unusual += escaped;
        return i;
      }
      if (b === BACKSLASH) {
        escaped = 1;
        if (i + 1 >= end) return this.incomplete(final, i + 1);
        const e = buf[i + 1];
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            if (i + k >= end) return this.incomplete(final, i + k);
            if (!isHex(buf[i + k])) return this.fail(i, "a \\u escape needs four hex digits");
          }
          i += 6;
        } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          i += 2;
        } else return this.fail(i, `an invalid escape \\${String.fromCharCode(e ?? 0x3f)} in a string`);
      } else if (b < 0x20) {
        return this.fail(i, b === 0x0a ? "a string is not closed on its line" : "a control character inside a string must be escaped");
      } else i++;
    }
    return this.incomplete(final, i);
  }

  /** Scans a number at `p` (RFC 8259 grammar); returns the position after it. */
  private scanNumber(buf: Buffer, p: number, end: number, final: boolean): number {
    const start = p;
    if (buf[p] === MINUS) p++;
    if (p >= end) return this.incomplete(final, p);
    if (buf[p] === 0x30) p++;
    else if (isDigit(buf[p])) while (p < end && isDigit(buf[p])) p++;
    else return this.fail(start, "an invalid number");
    if (p < end && buf[p] === 0x2e) {
      p++;
      if (p >= end) return this.incomplete(final, p);
      if (!isDigit(buf[p])) return this.fail(start, "an invalid number (a digit must follow the point)");
      while (p < end && isDigit(buf[p])) p++;
    }
    if (p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
      this.unusual++;
      p++;
      if (p < end && (buf[p] === 0x2b || buf[p] === MINUS)) p++;
      if (p >= end) return this.incomplete(final, p);
      if (!isDigit(buf[p])) return this.fail(start, "an invalid number (a digit must follow the exponent)");
      while (p < end && isDigit(buf[p])) p++;
    }
    if (p - start > LONG_NUMBER) this.unusual++;
    if (p >= end) return final ? p : PARSE_INCOMPLETE;
    const next = buf[p] as number;
    const letter = (next | 0x20) >= 0x61 && (next | 0x20) <= 0x7a;
    if (isDigit(next) || letter || next === 0x2e || next === 0x2b || next === MINUS) return this.fail(start, "an invalid number");
    return p;
  }

  private incomplete(final: boolean, at: number): number {
    if (!final) return PARSE_INCOMPLETE;
    return this.fail(at, "the text ends too early");
  }

  private fail(at: number, message: string): number {
    this.error = message;
    this.errorAt = at;
    return PARSE_ERROR;
  }
}
