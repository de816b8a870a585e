import { isUtf8 } from "node:buffer";
import { describe, expect, it } from "vitest";
import { firstInvalidUtf8 } from "./utf8";

const at = (bytes: number[] | Buffer) => {
  const buf = Buffer.from(bytes);
  return firstInvalidUtf8(buf, 0, buf.length);
};

describe("firstInvalidUtf8", () => {
  it("finds nothing in valid text of every sequence length", () => {
    expect(at(Buffer.from("café, Ærøskøbing, 東京, 𝄞 and 🙂"))).toBe(-1);
  });

  it("points at a Latin-1 byte, a cut sequence, an overlong form, a surrogate and a code point above U+10FFFF", () => {
    expect(at(Buffer.concat([Buffer.from("caf"), Buffer.from([0xe9]), Buffer.from(" au lait")]))).toBe(3);
    expect(at([0x61, 0xe6, 0x9d])).toBe(1);
    expect(at([0x61, 0x62, 0xc0, 0xaf])).toBe(2);
    expect(at([0xed, 0xa0, 0x80])).toBe(0);
    expect(at([0x41, 0xf4, 0x90, 0x80, 0x80])).toBe(1);
    expect(at([0x41, 0x80])).toBe(1);
  });

  it("agrees with Node's validator on every two-byte string", () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const buf = Buffer.from([a, b]);
        expect(firstInvalidUtf8(buf, 0, 2) === -1).toBe(isUtf8(buf));
      }
    }
  });
});
