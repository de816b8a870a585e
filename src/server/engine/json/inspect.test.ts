import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSPECT_BYTES, inspectJson } from "./inspect";

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-json-inspect-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function inspect(content: string | Buffer) {
  const file = path.join(dir, `f${++counter}.json`);
  await writeFile(file, content);
  return inspectJson(file);
}

describe("inspectJson", () => {
  it("detects an array and infers paths and types from each value's text", async () => {
    const result = await inspect(
      '\ufeff [{"id": 1, "price": "12.50", "ok": true, "at": "2024-01-01T10:00:00Z", "address": {"city": "Oslo", "zip": "0150"}, "tags": ["a"], "n": null},\n' +
        ' {"id": 2, "price": 3, "ok": false, "at": null, "address": {"city": "Bergen", "zip": "5003"}, "tags": [], "n": null, "late": 1.0}]',
    );
    expect(result.format).toBe("array");
    expect(result.sampledRecords).toBe(2);
    expect(result.columns).toEqual([
      { name: "id", type: "integer" },
      { name: "price", type: "number" },
      { name: "ok", type: "boolean" },
      { name: "at", type: "timestamp" },
      { name: "address", type: "json" },
      { name: "address.city", type: "string" },
      // Oslo's postal code 0150: a leading zero keeps the column text.
      { name: "address.zip", type: "string" },
      { name: "tags", type: "json" },
      { name: "n", type: "string" },
      { name: "late", type: "number" },
    ]);
  });

  it("detects NDJSON, skipping lines that are not JSON", async () => {
    const result = await inspect('{"a": 1}\n\nnot json\n{"a": 2, "b": "x"}\n[1]\n');
    expect(result.format).toBe("ndjson");
    expect(result.columns).toEqual([
      { name: "a", type: "integer" },
      { name: "b", type: "string" },
    ]);
  });

  it("looks only at the first megabyte and never at a cut record", async () => {
    const record = `{"id": 1, "text": "${"x".repeat(1000)}"}`;
    const many = `[${Array.from({ length: Math.ceil(INSPECT_BYTES / record.length) + 10 }, () => record).join(",")}, {"id": "not a number"}]`;
    const result = await inspect(many);
    expect(result.columns).toEqual([
      { name: "id", type: "integer" },
      { name: "text", type: "string" },
    ]);
    expect(result.sampledRecords).toBeLessThan(1100);
  });

  it("drops names that cannot be columns", async () => {
    const result = await inspect(`[{"ok": 1, "_sluice_lineage_id": 2, "": 3, "${"k".repeat(64)}": 4}]`);
    expect(result.columns.map((c) => c.name)).toEqual(["ok"]);
  });

  it.each([
    ["", "empty or only whitespace"],
    [" \n\t", "empty or only whitespace"],
    ["id,name\n1,a\n", 'starts with "i"'],
    [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), "does not look like JSON"],
    ['[{"a": 1}, {"a": 2', "it ends inside the array (line 1, column 19)"],
    ['[{"a": 1},\n {"a": 2,}]', "expected a key in double quotes but found \"}\" at line 2, column 10"],
    ['{\n  "a": 1\n}\n', "one object spread over several lines"],
  ])("refuses %j with a reason", async (content, reason) => {
    await expect(inspect(content)).rejects.toThrow(reason);
  });
});
