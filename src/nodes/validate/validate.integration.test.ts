import { describe, expect, it } from "vitest";
import { lineageOf, runValidate } from "@/server/engine/validate/harness";
import validate from "./validate";

// The node's fixture: air-quality rows as a CSV source stages them (all text), in and out.
describe("validate fixture", () => {
  it("passes valid rows on typed and quarantines the rest with every violation", async () => {
    const result = await runValidate(validate.example, {
      columns: [
        { name: "station", type: "string" },
        { name: "aqi", type: "string" },
        { name: "measured_at", type: "string" },
        { name: "category", type: "string" },
      ],
      rows: [
        ["OS001", "42", "2024-03-01T10:00+01:00", "good"],
        ["OS002", "612", "2024-03-01 10:00", "hazardous"],
        ["os3", " 12", "yesterday", null],
        ["LI004", "0", "2024-02-29 23:59:59.5Z", null],
      ],
    });
    expect(result.rowsIn).toBe(result.rowsOut + result.rowsRejected);
    expect(result.rows).toEqual([
      { station: "OS001", aqi: "42", measured_at: "2024-03-01T09:00:00.000000Z", category: "good" },
      { station: "LI004", aqi: "0", measured_at: "2024-02-29T23:59:59.500000Z", category: null },
    ]);
    expect(result.quarantined).toEqual([
      {
        lineage: lineageOf(1),
        record: { station: "OS002", aqi: "612", measured_at: "2024-03-01 10:00", category: "hazardous" },
        errors: [
          { field: "aqi", rule: "max", value: "612", message: "aqi: 612 is above the maximum 500" },
          {
            field: "category",
            rule: "oneOf",
            value: "hazardous",
            message: 'category: "hazardous" is not one of "good", "moderate", "unhealthy"',
          },
        ],
      },
      {
        lineage: lineageOf(2),
        record: { station: "os3", aqi: " 12", measured_at: "yesterday", category: null },
        errors: [
          { field: "station", rule: "pattern", value: "os3", message: 'station: "os3" does not match the pattern [A-Z]{2}[0-9]{3}' },
          { field: "aqi", rule: "type", value: " 12", message: 'aqi: " 12" is not an integer (it has surrounding spaces)' },
          {
            field: "measured_at",
            rule: "type",
            value: "yesterday",
            message:
              'measured_at: "yesterday" is not a timestamp (use YYYY-MM-DD HH:MM[:SS[.ffffff]] with an optional Z or ±HH:MM offset)',
          },
        ],
      },
    ]);
  });
});
