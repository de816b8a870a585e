import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UploadRejectedError } from "../../../errors";
import { startWorker, type WorkerHandle } from "../../../jobs/worker";
import { getLineage } from "../../../services/lineage";
import { checkForEditor, previewNode } from "../../../services/preview";
import { startRun } from "../../../services/runs";
import { createEngineEnvironment } from "../../testing/engine-harness";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;

beforeAll(async () => {
  // Tiny chunks, so a file of a few records commits several checkpoints.
  env = await createEngineEnvironment({ SLUICE_CHUNK_ROWS: "2" });
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
});
afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="urn:example:feed" xmlns:g="urn:example:geo">
  <meta><source>partner</source></meta>
  <items>
    <item id="1"><name>Alpha</name><price>12.50</price><g:place g:city="Oslo">Norway</g:place></item>
    <item id="2">
      <name>Beta</name>
      <price>7</price>
    </item>
    <item id="3"><name>Gamma</name><price>free</price></item>
    <item id="4"><name>Delta</name><name>Again</name><price>1</price></item><item id="5"><name>Eps</name><price>2.25</price></item>
  </items>
</feed>
`;

function graph(fileRef: string, table: string, config: Record<string, unknown> = {}) {
  return {
    format: 1,
    name: table,
    nodes: [
      { id: "src", type: "source.xml", config: { file: fileRef, ...config } },
      { id: "dst", type: "destination.postgres", config: { table, mode: "append" } },
    ],
    edges: [{ from: "src", to: "dst" }],
  };
}

async function run(graphValue: ReturnType<typeof graph>) {
  const pipeline = await env.pipeline(graphValue);
  const { runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" });
  return { runId, run: await env.waitForRun(runId) };
}

describe("a pipeline reading XML", () => {
  it("detects the record element, loads attributes and children as columns, quarantines what does not fit, and traces a record to its line", async () => {
    const file = await env.upload("feed.xml", FEED);
    expect(file.inspection).toMatchObject({ kind: "xml", format: { record: "feed/items/item" } });
    expect(file.columns).toEqual([
      { name: "id", type: "integer" },
      { name: "name", type: "string" },
      // "free" in the sample makes price text; the node below sets it to number.
      { name: "price", type: "string" },
      { name: "place.city", type: "string" },
      { name: "place", type: "string" },
    ]);
    const { runId, run: finished } = await run(graph(`upload:${file.id}`, "feed_items", { columns: { price: "number" } }));
    expect(finished.error).toBeNull();
    expect(finished.nodes.find((n) => n.nodeId === "src")).toMatchObject({ status: "succeeded", rowsIn: 5n, rowsOut: 3n, rowsRejected: 2n });

    const loaded = await env.db.pool.query(`SELECT id, name, price, "place.city" AS city, place, _sluice_lineage_id AS lineage FROM feed_items ORDER BY id`);
    expect(loaded.rows.map((r) => [Number(r.id), r.name, r.price, r.city, r.place])).toEqual([
      [1, "Alpha", 12.5, "Oslo", "Norway"],
      [2, "Beta", 7, null, null],
      [5, "Eps", 2.25, null, null],
    ]);
    // Records 4 and 5 start on the same line: lineage ordinals count records, the lineage shows the line.
    expect(loaded.rows.map((r) => r.lineage.split(":")[2])).toEqual(["0", "1", "4"]);
    const traced = await getLineage(env.ctx, loaded.rows[2].lineage);
    expect(traced.source).toMatchObject({ file: "feed.xml", line: 11 });
    expect(traced.record).toMatchObject({ id: "5", name: "Eps" });
    const second = await getLineage(env.ctx, loaded.rows[1].lineage);
    expect(second.source).toMatchObject({ line: 6 });

    const quarantined = await env.db.pool.query(`SELECT lineage_id, errors FROM quarantined_records WHERE run_id = $1 ORDER BY lineage_id`, [runId]);
    expect(quarantined.rows.map((r) => [r.lineage_id.split(":")[2], r.errors[0].message])).toEqual([
      ["2", expect.stringContaining('"free" is not a number')],
      ["3", expect.stringContaining("name appears more than once")],
    ]);
  });

  it("reads the record element the node names, with the columns of that element", async () => {
    const file = await env.upload("feed-meta.xml", FEED);
    const checked = await checkForEditor(env.ctx, graph(`upload:${file.id}`, "feed_meta", { record: "meta" }));
    expect(checked.problems).toEqual([]);
    expect(checked.columns.src).toEqual([{ name: "source", type: "string" }]);
    const preview = await previewNode(env.ctx, { graph: graph(`upload:${file.id}`, "feed_meta", { record: "meta" }), nodeId: "src" });
    expect(preview).toMatchObject({ rows: [["partner"]] });

    const missing = await checkForEditor(env.ctx, graph(`upload:${file.id}`, "feed_meta", { record: "entry" }));
    expect(missing.problems).toEqual([expect.objectContaining({ nodeId: "src", path: ["record"], message: expect.stringContaining("no <entry> element") })]);
  });

  it("refuses DTDs, so neither billion laughs nor external entities are ever expanded", async () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 ${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("\n ")}
]>
<lolz><item>&lol9;</item><item>&lol9;</item></lolz>`;
    await expect(env.upload("laughs.xml", laughs)).rejects.toThrow(UploadRejectedError);
    await expect(env.upload("laughs.xml", laughs)).rejects.toThrow(/declares a DTD .*never processed/);
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><item>&x;</item><item>&x;</item></r>`;
    await expect(env.upload("xxe.xml", xxe)).rejects.toThrow(/declares a DTD/);
  });

  it("fails the node, loading nothing, when the XML breaks after the inspected start", async () => {
    const good = Array.from({ length: 3000 }, (_, i) => `<row><n>${i}</n><pad>${"x".repeat(400)}</pad></row>`).join("\n");
    const file = await env.upload("broken.xml", `<rows>\n${good}\n<row><n>oops</n></rw>\n</rows>\n`);
    const { run: finished } = await run(graph(`upload:${file.id}`, "broken_rows"));
    expect(finished.status).toBe("failed");
    expect(finished.nodes.find((n) => n.nodeId === "src")?.error).toMatch(/not well-formed XML.*3002/s);
    expect(finished.nodes.find((n) => n.nodeId === "dst")?.status).not.toBe("succeeded");
    const table = await env.db.pool.query(`SELECT to_regclass('public.broken_rows') AS t`);
    expect(table.rows[0].t).toBeNull();
  });
});
