import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectRecordElement, inspectXml } from "./inspect";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-xml-inspect-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(text: string): Promise<string> {
  const path = join(dir, `f-${Math.random().toString(36).slice(2)}.xml`);
  await writeFile(path, text);
  return path;
}

const FEED = `<?xml version="1.0"?>
<feed><meta><source>city</source></meta><items>
  <item id="1"><pm25>12.5</pm25><measured>2024-01-01</measured><zip>00501</zip></item>
  <item id="2"><pm25>7</pm25><measured>2024-01-02</measured><zip>69100</zip><note>late</note></item>
  <item id="3"><pm25>n/a</pm25><pm25>8</pm25></item>
</items></feed>
`;

describe("inspectXml", () => {
  it("detects the shallowest repeated element as the record", async () => {
    expect(await detectRecordElement(await file(FEED))).toBe("feed/items/item");
    expect(await detectRecordElement(await file(`<one><only/></one>`))).toBeNull();
  });

  it("lists the columns first met and infers their types with the CSV rules, leaving out records a run quarantines", async () => {
    const inspection = await inspectXml(await file(FEED));
    expect(inspection.record).toBe("feed/items/item");
    expect(inspection.columns).toEqual([
      { name: "id", type: "integer" },
      { name: "pm25", type: "number" },
      { name: "measured", type: "date" },
      { name: "zip", type: "string" },
      { name: "note", type: "string" },
    ]);
    expect(inspection.sampleLines).toEqual([3, 4, 5]);
    expect(inspection.sampleRows[2]).toEqual(["3", "n/a", null, null, null]);
    expect(inspection.sampleProblems).toEqual([{ row: 2, problems: ["pm25 appears more than once in the record: a column holds one value (the first is shown)"] }]);
  });

  it("reads the record element given, and says what to set when none repeats", async () => {
    expect((await inspectXml(await file(FEED), "meta")).columns).toEqual([{ name: "source", type: "string" }]);
    await expect(inspectXml(await file(`<one><only a="1"/></one>`))).rejects.toThrow("No element repeats in the file's first megabyte: set the record element");
  });
});
