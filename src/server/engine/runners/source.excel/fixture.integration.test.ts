import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import excelSource from "@/nodes/sources/excel";
import { runSourceFixture } from "../../testing/runner-fixture";
import { writeXlsx, type TCell } from "../../testing/xlsx-writer";

async function workbook(sheets: { name: string; rows: TCell[][] }[]): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), "sluice-xlsx-fixture-"));
  try {
    await writeXlsx(path.join(dir, "w.xlsx"), sheets);
    return await readFile(path.join(dir, "w.xlsx"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("source.excel", () => {
  it("stages the chosen sheet below its header row, dates as dates, each row by its number", async () => {
    const content = await workbook([
      { name: "Notes", rows: [["ignore me"]] },
      {
        name: "Orders",
        rows: [
          ["Exported 2026-12-01"],
          ["id", "placed", "total"],
          [1, new Date(Date.UTC(2026, 0, 31)), 10.5],
          [],
          [2, new Date(Date.UTC(2026, 1, 1)), "n/a"],
          [3, null, 4, "stray"],
        ],
      },
    ]);
    const result = await runSourceFixture(excelSource, { sheet: "Orders", headerRow: 2, columns: { total: "number" } }, { filename: "orders.xlsx", content });
    expect(result.error).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", rowsIn: 3, rowsOut: 1, rowsRejected: 2 });
    expect(result.columns).toEqual(["id", "placed", "total"]);
    expect(result.records).toEqual([{ id: "1", placed: "2026-01-31", total: "10.5" }]);
    expect(result.ordinals).toEqual([3]);
    expect(result.quarantine.map((q) => [q.ordinal, q.errors.map((e) => e.rule)])).toEqual([
      [5, ["type"]],
      [6, ["record"]],
    ]);
  });
});
