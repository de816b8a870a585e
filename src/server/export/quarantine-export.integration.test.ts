import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineEnvironment } from "../engine/testing/engine-harness";
import { startWorker, type WorkerHandle } from "../jobs/worker";
import { exportQuarantineCsv } from "../services/quarantine";
import { startRun } from "../services/runs";

let env: Awaited<ReturnType<typeof createEngineEnvironment>>;
let worker: WorkerHandle;
let runId: string;

// Every station breaks the pattern; the cells are what an attacker would put in a shared file.
const CSV = [
  "station,@note,reading",
  '"=HYPERLINK(""http://evil.example"",""x"")",+cmd|\' /C calc\'!A0,-12.5',
  "@SUM(A1:A9),plain,-2+3",
].join("\n");

beforeAll(async () => {
  env = await createEngineEnvironment();
  worker = await startWorker({ connectionString: env.db.url, concurrency: 2, staleSeconds: 5 });
  const file = await env.upload("hostile.csv", CSV);
  const pipeline = await env.pipeline({
    nodes: [
      { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
      { id: "val", type: "validate", config: { rules: [{ field: "station", type: "string", pattern: "[A-Z]{2}[0-9]{3}" }] } },
      { id: "dst", type: "destination.postgres", config: { table: "hostile", mode: "replace" } },
    ],
    edges: [
      { from: "src", to: "val" },
      { from: "val", to: "dst" },
    ],
  });
  ({ runId } = await startRun(env.ctx, { pipelineId: pipeline.id, trigger: "manual" }));
  expect((await env.waitForRun(runId)).status).toBe("succeeded");
});

afterAll(async () => {
  await worker?.stop();
  await env?.close();
});

describe("the quarantine CSV export", () => {
  it("writes formula-like cells and column names so spreadsheets show them as text", async () => {
    const csv = await text(await exportQuarantineCsv(env.ctx, { runId }));
    const [header, first, second] = csv.trimEnd().split("\n");
    expect(header).toBe("_sluice_quarantine_id,_sluice_run_id,_sluice_node_id,_sluice_lineage_id,_sluice_status,_sluice_errors,'@note,reading,station");
    expect(first?.endsWith(`,'+cmd|' /C calc'!A0,-12.5,"'=HYPERLINK(""http://evil.example"",""x"")"`)).toBe(true);
    expect(second?.endsWith(",plain,'-2+3,'@SUM(A1:A9)")).toBe(true);
    expect(env.ctx.pool.totalCount - env.ctx.pool.idleCount).toBe(0);
  });

  it("is recorded in the audit log with its filter", async () => {
    await text(await exportQuarantineCsv({ ...env.ctx, actor: "Ada <ada@example.test>", address: "203.0.113.9" }, { runId, status: "open" }));
    const event = await env.ctx.prisma.auditEvent.findFirst({ where: { action: "quarantine.exported" }, orderBy: { id: "desc" } });
    expect(event).toMatchObject({ workspaceId: env.ctx.workspaceId, actor: "Ada <ada@example.test>", ipAddress: "203.0.113.9", details: { filter: { runId, status: "open" } } });
  });

  it("gives the connection back when the reader stops early", async () => {
    const stream = await exportQuarantineCsv(env.ctx, { runId });
    for await (const _chunk of stream) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(env.ctx.pool.totalCount - env.ctx.pool.idleCount).toBe(0);
  });
});
