import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UploadRejectedError } from "../../../errors";
import { checkForEditor, previewNode } from "../../../services/preview";
import { createEngineEnvironment } from "../../testing/engine-harness";
import { writeXlsx } from "../../testing/xlsx-writer";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let workbook: Buffer;

beforeAll(async () => {
  env = await createEngineEnvironment();
  const dir = await mkdtemp(path.join(tmpdir(), "sluice-xlsx-"));
  await writeXlsx(path.join(dir, "w.xlsx"), [
    { name: "Summary", rows: [["total"], [3]] },
    { name: "Readings", rows: [["station", "day", "aqi"], ["AB001", new Date(Date.UTC(2026, 2, 1)), 42], ["AB002", new Date(Date.UTC(2026, 2, 2)), 17]] },
  ]);
  workbook = await readFile(path.join(dir, "w.xlsx"));
  await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await env?.close();
});

function graph(fileRef: string, config: Record<string, unknown> = {}) {
  return { format: 1, name: "excel", nodes: [{ id: "src", type: "source.excel", config: { file: fileRef, ...config } }], edges: [] };
}

describe("an Excel source", () => {
  it("offers the columns of the sheet chosen, dates inferred as dates, and previews it", async () => {
    const file = await env.upload("air.xlsx", workbook);
    expect(file.inspection).toMatchObject({ kind: "xlsx", format: { sheet: "Summary", sheets: ["Summary", "Readings"] } });
    expect(file.columns).toEqual([{ name: "total", type: "integer" }]);
    const checked = await checkForEditor(env.ctx, graph(`upload:${file.id}`, { sheet: "Readings" }));
    expect(checked.problems).toEqual([]);
    expect(checked.columns.src).toEqual([
      { name: "station", type: "string" },
      { name: "day", type: "date" },
      { name: "aqi", type: "integer" },
    ]);
    const preview = await previewNode(env.ctx, { graph: graph(`upload:${file.id}`, { sheet: "Readings" }), nodeId: "src" });
    expect(preview).toMatchObject({ rows: [["AB001", "2026-03-01", "42"], ["AB002", "2026-03-02", "17"]] });
  });

  it("says which sheets there are when the one named is not in the workbook", async () => {
    const file = await env.upload("air.xlsx", workbook);
    const checked = await checkForEditor(env.ctx, graph(`upload:${file.id}`, { sheet: "readings " }));
    expect(checked.problems).toEqual([
      expect.objectContaining({ nodeId: "src", path: ["sheet"], message: expect.stringContaining('no sheet named "readings " (it has "Summary", "Readings")') }),
    ]);
  });

  it("refuses a CSV renamed .xlsx and a cut-off workbook, saying why", async () => {
    await expect(env.upload("air.xlsx", "station,aqi\nAB001,42\n")).rejects.toThrow(UploadRejectedError);
    await expect(env.upload("air.xlsx", "station,aqi\nAB001,42\n")).rejects.toThrow(/not a zip archive.*a CSV file renamed .xlsx is read with a CSV source/);
    await expect(env.upload("cut.xlsx", workbook.subarray(0, Math.floor(workbook.length / 2)))).rejects.toThrow(/could not be read as an Excel workbook/);
  });
});
