import { describe, expect, it } from "vitest";
import {
  columnTrie,
  decodeJsonString,
  JsonRecordParser,
  PARSE_ERROR,
  PARSE_INCOMPLETE,
  PathTrie,
  VALUE_ARRAY,
  VALUE_FALSE,
  VALUE_NONE,
  VALUE_NULL,
  VALUE_NUMBER,
  VALUE_OBJECT,
  VALUE_STRING,
  VALUE_TRUE,
} from "./scanner";

/** Parses `text` as one final record and returns each column's value as [kind, text]. */
function read(text: string, columns: string[], options: { flatten?: boolean; json?: string[] } = {}) {
  const trie = columnTrie(columns, options.flatten ?? true);
  const parser = new JsonRecordParser(trie, columns.length, {
    jsonColumns: Uint8Array.from(columns.map((c) => (options.json?.includes(c) ? 1 : 0))),
  });
  const buf = Buffer.from(text);
  const end = parser.parse(buf, 0, buf.length, true);
  const values = Object.fromEntries(
    columns.map((c, k) => {
      const kind = parser.kinds[k] as number;
      const a = parser.starts[k] as number;
      const b = parser.ends[k] as number;
      const value = kind === VALUE_NONE ? undefined : parser.escaped[k] === 1 ? decodeJsonString(buf, a - 1, b + 1) : buf.toString("utf8", a, b);
      return [c, kind === VALUE_NONE ? undefined : [kind, value]];
    }),
  );
  const mismatches: [string, number, string][] = [];
  for (let i = 0; i < parser.mismatches.length; i += 4) {
    mismatches.push([trie.paths[parser.mismatches[i]!]!, parser.mismatches[i + 1]!, buf.toString("utf8", parser.mismatches[i + 2], parser.mismatches[i + 3])]);
  }
  return { end, parser, values, mismatches };
}

describe("JsonRecordParser", () => {
  it("captures scalars by column, strings without their quotes", () => {
    const { end, values, parser } = read(' {"s": "hi", "n": -1.5e3, "t": true, "f": false, "z": null, "e": ""} ', ["s", "n", "t", "f", "z", "e", "missing"]);
    expect(end).toBe(' {"s": "hi", "n": -1.5e3, "t": true, "f": false, "z": null, "e": ""}'.length);
    expect(parser.rootKind).toBe(VALUE_OBJECT);
    expect(values).toEqual({
      s: [VALUE_STRING, "hi"],
      n: [VALUE_NUMBER, "-1.5e3"],
      t: [VALUE_TRUE, "true"],
      f: [VALUE_FALSE, "false"],
      z: [VALUE_NULL, "null"],
      e: [VALUE_STRING, ""],
      missing: undefined,
    });
  });

  it("decodes escapes, unicode escapes and surrogate pairs; keys with escapes match too", () => {
    const { values } = read(String.raw`{"caf\u00e9": "a\"b\\c\/\n\u00e9\ud83d\ude00", "plain": "é😀"}`, ["café", "plain"]);
    expect(values).toEqual({ café: [VALUE_STRING, 'a"b\\c/\né😀'], plain: [VALUE_STRING, "é😀"] });
  });

  it("flattens nested objects by path, whichever way the path is split", () => {
    const columns = ["address.city", "address.geo.lat", "id"];
    expect(read('{"id": 1, "address": {"city": "Oslo", "geo": {"lat": 59.9}}}', columns).values).toEqual({
      "address.city": [VALUE_STRING, "Oslo"],
      "address.geo.lat": [VALUE_NUMBER, "59.9"],
      id: [VALUE_NUMBER, "1"],
    });
    expect(read('{"address.city": "Bergen", "address": {"geo.lat": 60.4}}', columns).values).toMatchObject({
      "address.city": [VALUE_STRING, "Bergen"],
      "address.geo.lat": [VALUE_NUMBER, "60.4"],
    });
  });

  it("keeps arrays, and objects at json columns, whole", () => {
    const { values } = read('{"tags": ["a", {"b": [1]}], "meta": {"x": {"y": null}}, "empty": {}}', ["tags", "meta", "empty"], { json: ["meta", "empty"] });
    expect(values).toEqual({
      tags: [VALUE_ARRAY, '["a", {"b": [1]}]'],
      meta: [VALUE_OBJECT, '{"x": {"y": null}}'],
      empty: [VALUE_OBJECT, "{}"],
    });
  });

  it("without flattening, a column is a top-level key, dots and all", () => {
    const { values } = read('{"a.b": 1, "a": {"b": 2}}', ["a.b", "a"], { flatten: false, json: ["a"] });
    expect(values).toEqual({ "a.b": [VALUE_NUMBER, "1"], a: [VALUE_OBJECT, '{"b": 2}'] });
  });

  it("counts keys that are not columns and remembers a few of their paths", () => {
    const { parser, values } = read('{"id": 1, "extra": {"deep": [1, 2]}, "address": {"zip": "0150", "city": "Oslo"}}', ["id", "address.city"]);
    expect(values).toEqual({ id: [VALUE_NUMBER, "1"], "address.city": [VALUE_STRING, "Oslo"] });
    expect(parser.recordIgnored).toBe(2);
    expect(parser.ignoredExamples).toEqual(["extra", "address.zip"]);
  });

  it("reports a value where an object is expected, but not a null there", () => {
    expect(read('{"address": "Oslo"}', ["address.city"]).mismatches).toEqual([["address", VALUE_STRING, "Oslo"]]);
    expect(read('{"address": [1]}', ["address.city"]).mismatches).toEqual([["address", VALUE_ARRAY, "[1]"]]);
    expect(read('{"address": null}', ["address.city"]).mismatches).toEqual([]);
  });

  it("lets the last of a repeated key win, as JSON.parse and jsonb do", () => {
    expect(read('{"a": 1, "a": 2}', ["a"]).values).toEqual({ a: [VALUE_NUMBER, "2"] });
  });

  it("tells what the record is when it is not an object", () => {
    for (const [text, kind] of [["[1, 2]", VALUE_ARRAY], ['"x"', VALUE_STRING], ["42", VALUE_NUMBER], ["null", VALUE_NULL]] as const) {
      const { end, parser } = read(text, ["a"]);
      expect(end).toBe(text.length);
      expect(parser.rootKind).toBe(kind);
    }
  });

  it.each([
    ['{"a": 1,}', "expected a key in double quotes"],
    ["[1, 2,]", "unexpected \"]\""],
    ['{"a" 1}', "expected ':' after a key"],
    ['{"a": 01}', "an invalid number"],
    ['{"a": 1.}', "a digit must follow the point"],
    ['{"a": -}', "an invalid number"],
    ['{"a": 1e}', "a digit must follow the exponent"],
    ['{"a": 12abc}', "an invalid number"],
    ['{"a": tru}', "unexpected \"t\""],
    ['{"a": NaN}', "unexpected \"N\""],
    ['{"a": "x\\q"}', "an invalid escape \\q"],
    ['{"a": "\\u12G4"}', "four hex digits"],
    ['{"a": "tab\there"}', "control character"],
    ['{"a": [1 2]}', "expected ',' or ']'"],
    ['{"a": {"b": 1]}', "expected ',' or '}'"],
    ['{"a": "never closed', "the text ends too early"],
    ["{'a': 1}", "expected a key in double quotes"],
  ])("refuses %s", (text, message) => {
    const { end, parser } = read(text, ["a"]);
    expect(end).toBe(PARSE_ERROR);
    expect(parser.error).toContain(message);
  });

  it("refuses nesting deeper than jsonb can store", () => {
    const deep = `{"a": ${"[".repeat(1000)}${"]".repeat(1000)}}`;
    const { end, parser } = read(deep, ["a"]);
    expect(end).toBe(PARSE_ERROR);
    expect(parser.error).toContain("nesting deeper than 1000");
    expect(read(`{"a": ${"[".repeat(998)}${"]".repeat(998)}}`, ["a"], { json: ["a"] }).end).toBeGreaterThan(0);
  });

  it("asks for more bytes when the value may continue, wherever the bytes stop", () => {
    const text = '{"name": "Zoë", "n": 12.5e-3, "ok": true, "list": [1, {"k": null}], "o": {"p": "\\u00e9"}}';
    const buf = Buffer.from(text);
    const parser = new JsonRecordParser(columnTrie(["name", "n", "ok", "list", "o.p"], true), 5);
    for (let cut = 0; cut < buf.length; cut++) expect(parser.parse(buf, 0, cut, false)).toBe(PARSE_INCOMPLETE);
    expect(parser.parse(buf, 0, buf.length, false)).toBe(buf.length);
    expect(decodeJsonString(buf, parser.starts[4]! - 1, parser.ends[4]! + 1)).toBe("é");
  });

  it("discovers paths in inspection mode", () => {
    const trie = new PathTrie();
    const parser = new JsonRecordParser(trie, 0, { discover: { flatten: true, maxNodes: 100 } });
    const buf = Buffer.from('{"id": 1, "address": {"city": "Oslo"}, "tags": ["x"]}');
    expect(parser.parse(buf, 0, buf.length, true)).toBe(buf.length);
    expect(trie.paths.slice(1)).toEqual(["id", "address", "address.city", "tags"]);
    expect(trie.sawObject[2]).toBe(true);
    expect(parser.kinds[3]).toBe(VALUE_ARRAY);
  });
});
