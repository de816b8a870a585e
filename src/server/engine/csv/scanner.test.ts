import { describe, expect, it } from "vitest";
import { fnv1a } from "../staging/fnv1a";
import { CsvScanner } from "./scanner";

interface Scanned {
  fields: string[];
  raw: string;
  newlines: number;
  unclosed: boolean;
}

/** Scans all of `text`, feeding it in pieces of `step` bytes as a file reader would. */
function scanAll(text: string, step = Infinity, delimiter = ",", quote = '"'): Scanned[] {
  const bytes = Buffer.from(text);
  const scanner = new CsvScanner(delimiter.charCodeAt(0), quote.charCodeAt(0));
  const out: Scanned[] = [];
  let pos = 0;
  let end = Math.min(bytes.length, step);
  for (;;) {
    const eof = end === bytes.length;
    if (pos < end && scanner.scan(bytes, pos, end, eof)) {
      const fields = Array.from({ length: scanner.fieldCount }, (_, i) =>
        scanner.source(i, bytes).toString("utf8", scanner.starts[i], scanner.ends[i]),
      );
      out.push({
        fields,
        raw: bytes.toString("utf8", scanner.recordStart, scanner.recordEnd),
        newlines: scanner.newlines,
        unclosed: scanner.unclosedQuote,
      });
      pos = scanner.next;
      continue;
    }
    if (eof) return out;
    end = Math.min(bytes.length, end + step);
  }
}

const fieldsOf = (text: string, step?: number) => scanAll(text, step).map((r) => r.fields);

describe("CsvScanner", () => {
  it("splits records and fields", () => {
    expect(fieldsOf("a,b\n1,2\n")).toEqual([["a", "b"], ["1", "2"]]);
    expect(fieldsOf("a,b\r\n1,2\r\n")).toEqual([["a", "b"], ["1", "2"]]);
    expect(fieldsOf("a,b\n1,2")).toEqual([["a", "b"], ["1", "2"]]);
    expect(fieldsOf("a,b\r")).toEqual([["a", "b"]]);
    expect(fieldsOf(",\n,,")).toEqual([["", ""], ["", "", ""]]);
    expect(fieldsOf("a\r,b\n")).toEqual([["a\r", "b"]]);
  });

  it("reads quoted fields with delimiters, doubled quotes and line breaks", () => {
    expect(fieldsOf('"a,b","say ""hi""","x\r\ny\nz",""\n')).toEqual([["a,b", 'say "hi"', "x\r\ny\nz", ""]]);
    expect(scanAll('"a\nb",c\n2,3\n').map((r) => r.newlines)).toEqual([2, 1]);
  });

  it("keeps text after a closing quote and quotes inside unquoted fields", () => {
    expect(fieldsOf('"ab"c,5\'10"\n')).toEqual([["abc", "5'10\""]]);
    expect(fieldsOf('"ab"\r\n')).toEqual([["ab"]]);
  });

  it("runs an unclosed quote to the end of the input", () => {
    const records = scanAll('1,"open\n2,3\n');
    expect(records).toEqual([{ fields: ["1", "open\n2,3\n"], raw: '1,"open\n2,3\n', newlines: 2, unclosed: true }]);
  });

  it("gives the same records whatever the input pieces", () => {
    const text = 'id,"na""me"\r\n1,"multi\r\nline"\n2,"q""",tail\n\n"last"';
    const whole = scanAll(text);
    for (const step of [1, 2, 3, 5, 7, 64]) expect(scanAll(text, step)).toEqual(whole);
  });

  it("handles more fields than its initial capacity", () => {
    const many = Array.from({ length: 300 }, (_, i) => String(i));
    expect(fieldsOf(`${many.join(",")}\n`)).toEqual([many]);
  });

  it("uses the given delimiter and quote", () => {
    expect(scanAll("'a;b';'it''s'\n", Infinity, ";", "'").map((r) => r.fields)).toEqual([["a;b", "it's"]]);
  });
});

describe("fnv1a", () => {
  it("matches the reference FNV-1a 32 values", () => {
    expect(fnv1a(Buffer.from(""), 0, 0)).toBe(0x811c9dc5);
    expect(fnv1a(Buffer.from("a"), 0, 1)).toBe(0xe40c292c);
    expect(fnv1a(Buffer.from("foobar"), 0, 6)).toBe(0xbf9cf968);
  });
});
