import { describe, expect, it } from "vitest";
import { COLUMN_TYPES, type TColumnType } from "@/nodes/contract";
import { inferredValueProblem, valueProblem } from "@/nodes/values";
import { CopyBuffer, encodeText, fieldEncoders, writeTimestampMicros } from "./binary-copy";

const SEEDS: Record<TColumnType, string[]> = {
  string: ["a", "héllo", "x".repeat(40), "a\u0000b"],
  integer: ["0", "-0", "+7", "007", "123456789012345", "-123456789012345", "1234567890123456", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.0", "1e3", " 1", "+", "-", "12a"],
  number: ["0", "-0", "1.", ".5", "-.5", "+.5e-3", "1.5e3", "1E-3", "1e+308", "1e400", "1e-400", "0e999", "123456789012345", "1234567890123456", "0.000001", "1e22", "1e23", "1e-22", "1e-23", ".", "e3", "1e", "1e+", "1.2.3", "NaN", "Infinity", " 1", "1 "],
  boolean: ["true", "FALSE", "True", "t", "F", "yes", "NO", "y", "N", "1", "0", "on", "tr", "2", "truee", " t"],
  date: ["2024-02-29", "2023-02-29", "2024-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "2024-13-01", "2024-1-01", "2024/01/01", "2024-01-01 "],
  timestamp: [
    "2024-03-01T10:00", "2024-03-01 10:00", "2024-03-01T10:00:59", "2024-03-01T10:00:00.1", "2024-03-01T10:00:00.123456",
    "2024-03-01T10:00:00.1234567", "2024-03-01T10:00:00Z", "2024-03-01T10:00+02:00", "2024-03-01T10:00-0530", "2024-03-01T10:00+15",
    "2024-03-01T10:00+16", "2024-03-01T10:00+01:60", "2024-03-01T10:00+1", "2024-03-01T10:00+01:", "2024-03-01T24:00",
    "2024-03-01T10:60", "2024-03-01T10:00:60", "2024-03-01T10:00.5", "2024-03-01T10:00:00.", "2024-03-01T10:00z",
    "0001-01-01 00:00+01", "9999-12-31 23:59:59.999999-15:59", "2024-02-30 10:00", "2024-03-01", "2024-03-01T10:00:0",
  ],
  json: ['{"a":1}', "[1,", '"\\u0000"', "1e400"],
};

/** Texts near the seeds: one character dropped, doubled or replaced by a format character. */
function variants(seed: string, random: () => number): string[] {
  const alphabet = "0123456789+-.:eETZ ";
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const at = Math.floor(random() * seed.length);
    const c = alphabet[Math.floor(random() * alphabet.length)] ?? "0";
    out.push(seed.slice(0, at) + seed.slice(at + 1), seed.slice(0, at) + c + seed.slice(at + 1), seed.slice(0, at) + c + seed.slice(at));
  }
  return out;
}

function encodeFast(type: TColumnType, text: string, exact = false): Buffer | null {
  const out = new CopyBuffer(16);
  const src = Buffer.from(text, "utf8");
  return fieldEncoders(false, exact)[type](src, 0, src.length, out) ? out.take() : null;
}

function encodeSlow(type: TColumnType, text: string, exact = false): Buffer | string {
  const out = new CopyBuffer(16);
  const problem = encodeText(type, text, out, exact);
  return problem ?? out.take();
}

describe("byte encoders agree with the text path", () => {
  let state = 7;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  it.each(COLUMN_TYPES.filter((t) => t !== "string"))("%s", (type) => {
    const texts = SEEDS[type].flatMap((seed) => [seed, ...variants(seed, random)]).filter((t) => t !== "");
    let fastAccepted = 0;
    for (const text of texts) {
      const slow = encodeSlow(type, text);
      // The text path is parseValue itself.
      expect(typeof slow === "string", text).toBe(valueProblem(type, text) !== null);
      const fast = encodeFast(type, text);
      if (fast === null) continue;
      fastAccepted++;
      expect(slow, text).toEqual(fast);
    }
    if (type !== "json") expect(fastAccepted).toBeGreaterThan(0);
  });

  it.each(["integer", "number"] as const)("%s, for a column whose type was inferred", (type) => {
    const seeds = [...SEEDS[type], "00501", "10001", "-0.5", "0.50", "12.30", "100", "-100", "0.0000001", "999999999999999", "0.1234567890123456"];
    const texts = seeds.flatMap((seed) => [seed, ...variants(seed, random)]).filter((t) => t !== "");
    let fastAccepted = 0;
    for (const text of texts) {
      const slow = encodeSlow(type, text, true);
      expect(typeof slow === "string", text).toBe(inferredValueProblem(type, text) !== null);
      const fast = encodeFast(type, text, true);
      if (fast === null) continue;
      fastAccepted++;
      expect(slow, text).toEqual(fast);
    }
    expect(fastAccepted).toBeGreaterThan(0);
    expect(encodeFast(type, "00501", true)).toBeNull();
    expect(encodeSlow(type, "00501", true)).toMatch(/"00501" would not keep its exact text/);
  });

  it("strings are copied, latin1 becomes UTF-8", () => {
    const src = Buffer.from("Köln", "latin1");
    const out = new CopyBuffer(4);
    expect(fieldEncoders(true).string(src, 0, src.length, out)).toBe(true);
    expect(out.take()).toEqual(Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from("Köln", "utf8")]));
    expect(encodeSlow("string", "a\u0000b")).toMatch(/NUL/);
  });
});

describe("writeTimestampMicros", () => {
  it.each([0, 1, -1, 86399, -86400, 2 ** 31, -(2 ** 31) - 5, 252423993599, -63082281600, 315537897599])(
    "%i seconds is exact",
    (seconds) => {
      for (const micros of [0, 1, 999999]) {
        const out = new CopyBuffer(12);
        writeTimestampMicros(out, seconds, micros);
        const bytes = out.take();
        expect(bytes.readInt32BE(0)).toBe(8);
        expect(bytes.readBigInt64BE(4)).toBe(BigInt(seconds) * 1_000_000n + BigInt(micros));
      }
    },
  );
});
