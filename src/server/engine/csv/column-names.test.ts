import { describe, expect, it } from "vitest";
import { columnNamesFromHeader, generatedColumnNames } from "./column-names";

describe("column names", () => {
  it("fills empty names, numbers duplicates and renames reserved ones", () => {
    expect(columnNamesFromHeader(["id", "", null, "name", "name", " name ", "_sluice_lineage_id", "column_3"])).toEqual([
      "id",
      "column_2",
      "column_3",
      "name",
      "name_2",
      "name_3",
      "sluice_lineage_id",
      "column_3_2",
    ]);
  });

  it("cuts names to PostgreSQL's 63 bytes without splitting a character", () => {
    const [long, again] = columnNamesFromHeader(["é".repeat(40), "é".repeat(40)]);
    expect(Buffer.byteLength(long ?? "")).toBe(62);
    expect(again).toBe(`${"é".repeat(30)}_2`);
  });

  it("generates names for files without a header", () => {
    expect(generatedColumnNames(3)).toEqual(["column_1", "column_2", "column_3"]);
  });
});
