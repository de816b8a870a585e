import { mkdtemp, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TPipelineGraphInput } from "@/nodes/pipeline";
import type { PrismaClient } from "@/generated/prisma/client";
import { closeDatabaseClients, getPrisma } from "@/server/db/client";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { defaultWorkspaceId } from "@/server/workspace";
import { PreviewUnavailableError } from "../errors";
import { uploadPath } from "../storage";
import { checkForEditor, PREVIEW_ROWS, previewNode } from "./preview";
import { saveUpload } from "./uploads";

let db: TestDatabase;
let dataDir: string;
let ctx: { prisma: PrismaClient; pool: TestDatabase["pool"]; workspaceId: string };
let airFile: string;

const AIR = [
  "station,aqi,measured_at",
  "AB100,40,2024-01-01 10:00",
  "bad,612,2024-01-02 10:00",
  "AB102,abc,2024-01-03 10:00",
  "AB103,130,2024-01-04 10:00",
  "AB103,250,2024-01-05 10:00",
  "",
].join("\n");

async function upload(filename: string, content: string | Iterable<Buffer>) {
  const stream = typeof content === "string" ? Readable.from([Buffer.from(content)]) : Readable.from(content);
  const saved = await saveUpload(ctx, { filename, contentType: "text/csv", stream, sizeLimit: 2 ** 31 });
  return `upload:${saved.id}`;
}

/**
 * Extends an uploaded file, sparsely, to 4 TiB: reading it whole would not end within
 * the test's timeout on any machine, while reading a sample takes what it always takes.
 * (No clock in the assertion: a loaded machine cannot make this fail.)
 */
async function growPastReading(file: string): Promise<void> {
  await truncate(uploadPath(ctx.workspaceId, file.slice("upload:".length)), 2 ** 42);
}

function graph(file: string, extra: Partial<Pick<TPipelineGraphInput, "nodes" | "edges">> = {}): TPipelineGraphInput {
  return {
    format: 1,
    name: "Air",
    nodes: [
      // aqi is declared an integer: "abc" does not fit and a run quarantines it at the source.
      { id: "src", type: "source.csv", config: { file, columns: { aqi: "integer" } } },
      {
        id: "val",
        type: "validate",
        config: {
          rules: [
            { field: "station", required: true, pattern: "[A-Z]{2}[0-9]{3}", unique: true },
            { field: "aqi", min: 0, max: 500 },
          ],
        },
      },
      { id: "hot", type: "transform.filter", config: { expression: "aqi > 100" } },
      { id: "dst", type: "destination.postgres", config: { table: "air", mode: "append" } },
      ...(extra.nodes ?? []),
    ],
    edges: [
      { from: "src", to: "val" },
      { from: "val", to: "hot" },
      { from: "hot", to: "dst" },
      ...(extra.edges ?? []),
    ],
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "sluice-preview-"));
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_DATA_DIR = dataDir;
  const prisma = getPrisma();
  ctx = { prisma, pool: db.pool, workspaceId: await defaultWorkspaceId(prisma) };
  airFile = await upload("air.csv", AIR);
});

afterAll(async () => {
  await closeDatabaseClients();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("node preview", () => {
  it("shows a source's first records as text, flagging cells that do not fit their column type", async () => {
    const preview = await previewNode(ctx, { graph: graph(airFile), nodeId: "src" });
    expect(preview.columns).toEqual([
      { name: "station", type: "string" },
      { name: "aqi", type: "integer" },
      { name: "measured_at", type: "timestamp" },
    ]);
    expect(preview.rows[0]).toEqual(["AB100", "40", "2024-01-01 10:00"]);
    expect(preview.rows).toHaveLength(5);
    expect(preview.rejected).toEqual([
      { row: 2, violations: [{ field: "aqi", rule: "type", value: "abc", message: expect.stringMatching(/^aqi: /) }] },
    ]);
  });

  it("shows the rows reaching a validate node and, by row, every rule each would-be-quarantined row breaks", async () => {
    const preview = await previewNode(ctx, { graph: graph(airFile), nodeId: "val" });
    // The record the source rejects never reaches the validate node.
    expect(preview.rows.map((r) => r[0])).toEqual(["AB100", "bad", "AB103", "AB103"]);
    const byRow = Object.fromEntries(preview.rejected.map((r) => [preview.rows[r.row]![1], r.violations.map((v) => `${v.field}/${v.rule}`)]));
    expect(byRow).toEqual({
      "612": ["station/pattern", "aqi/max"],
      // unique is a set rule: the second AB103 is the violation, computed by the real SQL validator.
      "250": ["station/unique"],
    });
    expect(preview.note).toBe("4 sample records arrive here; 2 would go to quarantine.");
  });

  it("runs SQL nodes over the validated sample, and rolls everything back", async () => {
    const preview = await previewNode(ctx, { graph: graph(airFile), nodeId: "hot" });
    expect(preview.columns.map((c) => c.name)).toEqual(["station", "aqi", "measured_at"]);
    expect(preview.rows).toEqual([["AB103", "130", "2024-01-04 10:00:00+00"]]);
    const left = await db.pool.query("SELECT (SELECT count(*) FROM quarantined_records)::int AS q, (SELECT count(*) FROM pg_class WHERE relname LIKE 'sluice_preview_%')::int AS t");
    expect(left.rows[0]).toEqual({ q: 0, t: 0 });
  });

  it("shows a destination the rows it would load, even before its own settings are complete", async () => {
    const g = graph(airFile);
    g.nodes[3] = { id: "dst", type: "destination.postgres", config: { table: "air", mode: "upsert" } };
    const preview = await previewNode(ctx, { graph: g, nodeId: "dst" });
    expect(preview.rows).toHaveLength(1);
    expect(preview.note).toMatch(/this destination would load/);
  });

  it("says what to fix when the preview cannot be computed", async () => {
    const missingFile = graph("upload:00000000-0000-4000-8000-000000000000");
    await expect(previewNode(ctx, { graph: missingFile, nodeId: "val" })).rejects.toThrow(/Fix these first: src: the file is not uploaded yet/);
    const emptyApi = graph(airFile, { nodes: [{ id: "api", type: "source.http", config: {} }] });
    await expect(previewNode(ctx, { graph: emptyApi, nodeId: "api" })).rejects.toThrow(new PreviewUnavailableError("Fix these first: URL is required"));
    const unconnected = graph(airFile, { nodes: [{ id: "lonely", type: "validate", config: { rules: [] } }] });
    await expect(previewNode(ctx, { graph: unconnected, nodeId: "lonely" })).rejects.toThrow(new PreviewUnavailableError('Connect the input "Records" first'));
    const badExpression = graph(airFile);
    badExpression.nodes[2] = { id: "hot", type: "transform.filter", config: { expression: "aqi >" } };
    await expect(previewNode(ctx, { graph: badExpression, nodeId: "hot" })).rejects.toThrow(/^Fix these first: (?!hot: )/);
  });

  it("checks a graph for the editor: problems, columns per node and the names of the files it reads", async () => {
    const checked = await checkForEditor(ctx, graph(airFile, { nodes: [{ id: "lonely", type: "validate", config: { rules: [] } }] }));
    expect(checked.problems.map((p) => `${p.nodeId}/${p.code}`)).toEqual(["lonely/missing-input"]);
    expect(checked.columns.val?.map((c) => c.name)).toEqual(["station", "aqi", "measured_at"]);
    expect(checked.files).toEqual({ [airFile.slice("upload:".length)]: "air.csv" });
  });

  describe("of a JSON source", () => {
    // Types set where the file's first megabyte (all of these small files) would infer others.
    const TYPES = { aqi: "integer", "address.zip": "string" };
    const jsonGraph = (file: string, config: Record<string, unknown> = { columns: TYPES }): TPipelineGraphInput => ({
      format: 1,
      name: "Stations",
      nodes: [
        { id: "src", type: "source.json", config: { file, ...config } },
        { id: "val", type: "validate", config: { rules: [{ field: "aqi", max: 500 }] } },
      ],
      edges: [{ from: "src", to: "val" }],
    });
    const NDJSON = [
      '{"station":"AB100","aqi":40,"address":{"city":"Oslo","zip":"0150"},"tags":["a"]}',
      '{"station":"AB101","aqi":"61","address":{"city":"Bergen"}}',
      "",
      '{"station":"AB102","aqi":"high","address":{"city":"Tromsø"}}',
      '{"station":"AB103","aqi":[7],"address":"unknown"}',
      "not json",
      "[1, 2]",
      '{"station":"AB\\u0031","aqi":612,"address":{"city":""}}',
      "",
    ].join("\n");

    it("shows the first records flattened into the node's columns, with types, flagging what a run would quarantine", async () => {
      const file = await upload("stations.ndjson", NDJSON);
      const preview = await previewNode(ctx, { graph: jsonGraph(file), nodeId: "src" });
      expect(preview.columns).toEqual([
        { name: "station", type: "string" },
        { name: "aqi", type: "integer" },
        { name: "address.city", type: "string" },
        { name: "address.zip", type: "string" },
        { name: "tags", type: "json" },
      ]);
      expect(preview.rows).toEqual([
        ["AB100", "40", "Oslo", "0150", '["a"]'],
        // A text holding a number fits a number column, as in CSV files.
        ["AB101", "61", "Bergen", null, null],
        ["AB102", "high", "Tromsø", null, null],
        ["AB103", "[7]", null, null, null],
        [null, null, null, null, null],
        [null, null, null, null, null],
        // Escapes decoded; an empty JSON string stays an empty text.
        ["AB1", "612", "", null, null],
      ]);
      expect(preview.rejected.map((r) => [r.row, r.violations.map((v) => `${v.field}/${v.rule}: ${v.message}`)])).toEqual([
        [2, ['aqi/type: aqi: "high" is not an integer']],
        [
          3,
          [
            "aqi/type: aqi: an array is not an integer (set the column's type to json to keep it)",
            "address/type: address: a text where an object is expected (this source reads address.city, address.zip from it)",
          ],
        ],
        [4, ['_raw/json: line 6: not valid JSON (unexpected "n", column 1)']],
        [5, ["_raw/notAnObject: line 7: the record is an array, not an object"]],
      ]);
      expect(preview.note).toBe("The first 7 records (lines) of the file.");
    });

    it("feeds the next node only the records a run would stage, and reads arrays and unflattened objects", async () => {
      const file = await upload("stations.ndjson", NDJSON);
      const validate = await previewNode(ctx, { graph: jsonGraph(file), nodeId: "val" });
      expect(validate.rows.map((r) => r[0])).toEqual(["AB100", "AB101", "AB1"]);
      expect(validate.rows[0]![4]).toBe('["a"]');
      expect(validate.rejected).toEqual([{ row: 2, violations: [expect.objectContaining({ field: "aqi", rule: "max" })] }]);

      const array = await upload("array.json", '\uFEFF[ {"id": 1, "meta": {"ok": true}}, {"id": 2, "meta": {"ok": "maybe"}} ]');
      const flat = await previewNode(ctx, { graph: jsonGraph(array, { columns: { "meta.ok": "boolean" } }), nodeId: "src" });
      expect(flat.columns).toEqual([
        { name: "id", type: "integer" },
        { name: "meta.ok", type: "boolean" },
      ]);
      expect(flat.rows).toEqual([
        ["1", "true"],
        ["2", "maybe"],
      ]);
      expect(flat.rejected.map((r) => r.row)).toEqual([1]);
      expect(flat.note).toBe("The first 2 records of the array.");
      const whole = await previewNode(ctx, { graph: jsonGraph(array, { flatten: false }), nodeId: "src" });
      expect(whole.rows).toEqual([
        ["1", '{"ok": true}'],
        ["2", '{"ok": "maybe"}'],
      ]);
    });

    it("says why a file that a run would fail on cannot be previewed", async () => {
      const array = await upload("list.json", '[{"id": 1}]');
      await expect(previewNode(ctx, { graph: jsonGraph(array, { format: "ndjson" }), nodeId: "src" })).rejects.toThrow(
        /it is one JSON array, not NDJSON. Set the format to array/,
      );
    });

    it("previews a 1,000,000-record file from a sample: it would preview a file of any size", async () => {
      const record = Buffer.from('{"station":"AB123","aqi":42,"address":{"city":"Oslo"}}\n');
      const block = Buffer.concat(Array.from({ length: 10_000 }, () => record));
      const big = await upload("big.ndjson", (function* () {
        for (let i = 0; i < 100; i++) yield block;
      })());
      await growPastReading(big);
      const source = await previewNode(ctx, { graph: jsonGraph(big), nodeId: "src" });
      const validated = await previewNode(ctx, { graph: jsonGraph(big), nodeId: "val" });
      expect(source.rows).toHaveLength(PREVIEW_ROWS);
      expect(validated.rows).toHaveLength(PREVIEW_ROWS);
    });
  });

  it("previews a 1,000,000-row file from a sample: it would preview a file of any size", async () => {
    const line = Buffer.from("AB123,42,2024-01-01 10:00\n");
    const block = Buffer.concat(Array.from({ length: 10_000 }, () => line));
    const big = await upload("big.csv", (function* () {
      yield Buffer.from("station,aqi,measured_at\n");
      for (let i = 0; i < 100; i++) yield block;
    })());
    await growPastReading(big);
    const g = graph(big);
    const source = await previewNode(ctx, { graph: g, nodeId: "src" });
    const validated = await previewNode(ctx, { graph: g, nodeId: "hot" });
    expect(source.rows).toHaveLength(PREVIEW_ROWS);
    expect(validated.rows).toHaveLength(0);
  });
});
