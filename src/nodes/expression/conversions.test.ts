import { describe, expect, it } from "vitest";
import { COLUMN_TYPES } from "../contract";
import { ident, render, sql } from "../sql";
import { canConvert, convert, RAISED_ERROR_PREFIX, raisedErrorMessage } from "./conversions";

describe("raisedErrorMessage", () => {
  it("takes Sluice's message out of PostgreSQL's error, and ignores other errors", () => {
    const pgMessage = `invalid input syntax for type bigint: "${RAISED_ERROR_PREFIX}aqi: "12 µg" is not an integer"`;
    expect(raisedErrorMessage(pgMessage)).toBe('aqi: "12 µg" is not an integer');
    expect(raisedErrorMessage('invalid input syntax for type bigint: "abc"')).toBeNull();
    expect(raisedErrorMessage("division by zero")).toBeNull();
  });
});

describe("canConvert", () => {
  it("allows text and JSON both ways, numbers among themselves, and date ↔ timestamp", () => {
    for (const type of COLUMN_TYPES) {
      expect(canConvert(type, "string")).toBe(true);
      expect(canConvert("string", type)).toBe(true);
      expect(canConvert(type, "json")).toBe(true);
      expect(canConvert(type, type)).toBe(true);
    }
    expect(canConvert("integer", "number")).toBe(true);
    expect(canConvert("number", "boolean")).toBe(true);
    expect(canConvert("date", "timestamp")).toBe(true);
  });

  it("refuses conversions between unrelated types", () => {
    expect(canConvert("date", "integer")).toBe(false);
    expect(canConvert("boolean", "date")).toBe(false);
    expect(canConvert("timestamp", "number")).toBe(false);
    expect(() => convert(sql`${ident("d")}`, "date", "integer", "d")).toThrow(/Cannot convert date to integer/);
  });
});

describe("convert", () => {
  it("puts the subject of messages in parameters, never in SQL text", () => {
    const { text, values } = render(convert(sql`${ident("x")}`, "string", "integer", "'; DROP TABLE t; --"));
    expect(text).not.toContain("DROP");
    expect(values).toContain("'; DROP TABLE t; --: \"");
  });
});
