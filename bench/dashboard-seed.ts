/**
 * Seeds a pipeline with a history of finished runs (runs, node runs, quarantined records) as the
 * engine would have left them, then records each run's figures with the engine's own
 * recordRunStats, so dashboards read exactly what they read after real runs. Used by
 * `npm run bench:dashboard` and by the dashboard's e2e test.
 */
import { Readable } from "node:stream";
import type pg from "pg";
import type { PrismaClient } from "../src/generated/prisma/client";
import { recordRunStats } from "../src/server/engine/run-stats";
import { createPipeline } from "../src/server/services/pipelines";
import { saveUpload } from "../src/server/services/uploads";

export interface TSeedCtx {
  prisma: PrismaClient;
  pool: pg.Pool;
  workspaceId: string;
  actor: string;
}

export interface TSeedOptions {
  name: string;
  /** How many finished runs, the newest finishing a minute ago. Default 120. */
  runs?: number;
  /** Minutes between runs. Default 360 (four a day). */
  everyMinutes?: number;
  /** Every n-th run fails at its destination (0: none). Default 17. */
  failEvery?: number;
  /** Rows each run reads. Default 1000. */
  rowsRead?: number;
}

/** Run i's figures, deterministic so tests can assert them: read, quarantined, discarded, loaded. */
export function seededFigures(i: number, options: TSeedOptions): { failed: boolean; read: number; quarantined: number; discarded: number; loaded: number; durationMs: number } {
  const read = options.rowsRead ?? 1000;
  const failEvery = options.failEvery ?? 17;
  const failed = failEvery > 0 && i % failEvery === failEvery - 1;
  const quarantined = Math.round(read * (0.02 + ((i * 7) % 5) / 100));
  const discarded = Math.round(read * 0.05);
  return { failed, read, quarantined, discarded, loaded: failed ? 0 : read - quarantined - discarded, durationMs: 20_000 + ((i * 7919) % 15_000) };
}

export async function seedDashboardPipeline(ctx: TSeedCtx, options: TSeedOptions): Promise<{ pipelineId: string; runIds: string[] }> {
  const runs = options.runs ?? 120;
  const every = (options.everyMinutes ?? 360) * 60_000;
  const upload = await saveUpload(ctx, {
    filename: "air.csv",
    contentType: "text/csv",
    stream: Readable.from([Buffer.from("station,aqi,pm25\nAB0001,12,3.5\n")]),
    sizeLimit: 1 << 20,
  });
  const pipeline = await createPipeline(ctx, {
    graph: {
      format: 1,
      name: options.name,
      nodes: [
        { id: "src", type: "source.csv", config: { file: `upload:${upload.id}` } },
        { id: "keep", type: "transform.filter", config: { expression: "aqi >= 0" } },
        { id: "val", type: "validate", config: { rules: [{ field: "station", required: true }, { field: "aqi", type: "integer", max: 500 }, { field: "pm25", type: "number", min: 0 }] } },
        { id: "dst", type: "destination.postgres", config: { table: "air_quality", mode: "append" } },
      ],
      edges: [
        { from: "src", to: "keep" },
        { from: "keep", to: "val" },
        { from: "val", to: "dst" },
      ],
    },
  });
  const version = await ctx.prisma.pipelineVersion.findFirstOrThrow({ where: { pipelineId: pipeline.id }, orderBy: { number: "desc" } });
  const now = Date.now() - 60_000;
  const runIds: string[] = [];
  const BATCH = 500;
  for (let start = 0; start < runs; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, runs - start) }, (_, k) => start + k);
    const rows = batch.map((i) => {
      const f = seededFigures(i, options);
      const finishedAt = new Date(now - (runs - 1 - i) * every);
      return { i, f, finishedAt, startedAt: new Date(finishedAt.getTime() - f.durationMs) };
    });
    const inserted = await ctx.pool.query<{ id: string }>(
      `INSERT INTO runs (id, workspace_id, pipeline_id, version_id, trigger, status, error, created_at, started_at, finished_at)
       SELECT gen_random_uuid(), $1, $2, $3, 'schedule', s.status::"RunStatus", s.error, s.started_at, s.started_at, s.finished_at
         FROM unnest($4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::int[]) AS s(status, error, started_at, finished_at, ord)
        ORDER BY s.ord
       RETURNING id`,
      [
        ctx.workspaceId,
        pipeline.id,
        version.id,
        rows.map((r) => (r.f.failed ? "failed" : "succeeded")),
        rows.map((r) => (r.f.failed ? "dst: the destination database refused the connection" : null)),
        rows.map((r) => r.startedAt),
        rows.map((r) => r.finishedAt),
        rows.map((r) => r.i),
      ],
    );
    const ids = inserted.rows.map((r) => r.id);
    runIds.push(...ids);
    // Node runs: each node takes its share of the run's time, in order.
    const nodeRows = rows.flatMap((r, k) => {
      const quarter = r.f.durationMs / 4;
      const at = (n: number) => new Date(r.startedAt.getTime() + n * quarter);
      return [
        [ids[k], "src", "source.csv", "succeeded", r.f.read, r.f.read, 0, at(0), at(1)],
        [ids[k], "keep", "transform.filter", "succeeded", r.f.read, r.f.read - r.f.discarded, 0, at(1), at(1.5)],
        [ids[k], "val", "validate", "succeeded", r.f.read - r.f.discarded, r.f.read - r.f.discarded - r.f.quarantined, r.f.quarantined, at(1.5), at(2.5)],
        [ids[k], "dst", "destination.postgres", r.f.failed ? "failed" : "succeeded", r.f.read - r.f.discarded - r.f.quarantined, r.f.loaded, 0, at(2.5), at(4)],
      ] as const;
    });
    const column = (j: number) => nodeRows.map((n) => n[j]);
    await ctx.pool.query(
      `INSERT INTO node_runs (id, workspace_id, run_id, node_id, node_type, status, rows_in, rows_out, rows_rejected, started_at, finished_at)
       SELECT gen_random_uuid(), $1, s.run_id, s.node_id, s.node_type, s.status::"RunStatus", s.rows_in, s.rows_out, s.rows_rejected, s.started_at, s.finished_at
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::timestamptz[], $10::timestamptz[])
           AS s(run_id, node_id, node_type, status, rows_in, rows_out, rows_rejected, started_at, finished_at)`,
      [ctx.workspaceId, column(0), column(1), column(2), column(3), column(4), column(5), column(6), column(7), column(8)],
    );
    // Quarantined records: one for every rejected row, breaking one of three rules in turn.
    await ctx.pool.query(
      `INSERT INTO quarantined_records (workspace_id, run_id, node_id, lineage_id, record, errors, status, created_at)
       SELECT $1, s.run_id, 'val', s.run_id::text || ':src:' || (g + 1) || ':00000000',
              jsonb_build_object('station', CASE WHEN g % 3 = 0 THEN NULL ELSE 'AB' || lpad(g::text, 4, '0') END, 'aqi', (600 + g)::text, 'pm25', '-1'),
              CASE g % 3
                WHEN 0 THEN jsonb_build_array(jsonb_build_object('field', 'station', 'rule', 'required', 'value', NULL, 'message', 'station: required value is missing'))
                WHEN 1 THEN jsonb_build_array(jsonb_build_object('field', 'aqi', 'rule', 'max', 'value', (600 + g)::text, 'message', 'aqi: above the maximum 500'))
                ELSE jsonb_build_array(jsonb_build_object('field', 'pm25', 'rule', 'min', 'value', '-1', 'message', 'pm25: below the minimum 0'))
              END,
              (CASE WHEN s.age > 20 THEN (CASE g % 4 WHEN 0 THEN 'fixed' WHEN 1 THEN 'open' ELSE 'reingested' END) ELSE 'open' END)::"QuarantineStatus",
              s.finished_at
         FROM unnest($2::uuid[], $3::int[], $4::int[], $5::timestamptz[]) AS s(run_id, n, age, finished_at)
        CROSS JOIN LATERAL generate_series(0, s.n - 1) AS g`,
      [ctx.workspaceId, ids, rows.map((r) => r.f.quarantined), rows.map((r) => runs - 1 - r.i), rows.map((r) => r.finishedAt)],
    );
    const client = await ctx.pool.connect();
    try {
      for (const id of ids) await recordRunStats(client, id);
    } finally {
      client.release();
    }
  }
  return { pipelineId: pipeline.id, runIds };
}
