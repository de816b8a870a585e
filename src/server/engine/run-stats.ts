/**
 * The per-run figures dashboards read (run_stats, run_quarantine_stats). They are written in the
 * transaction that finishes a run, from that run's own node runs and quarantined records, so a
 * dashboard over 10,000 runs reads 10,000 small rows instead of summing node runs on every view.
 */
import type pg from "pg";
import { registry } from "@/nodes/registry";

function typesOfKind(kind: "source" | "destination"): string[] {
  return registry
    .all()
    .filter((d) => d.execution.kind === kind)
    .map((d) => d.type);
}

/** (Re)writes the figures of a run that has just reached a final status; a retried run that finishes again overwrites them. */
export async function recordRunStats(client: pg.ClientBase, runId: string): Promise<void> {
  await client.query(
    `INSERT INTO run_stats (run_id, workspace_id, pipeline_id, status, trigger, created_at, started_at, finished_at, duration_ms,
                            rows_read, rows_loaded, rows_quarantined, rows_discarded, nodes)
     SELECT r.id, r.workspace_id, r.pipeline_id, r.status, r.trigger, r.created_at, r.started_at, coalesce(r.finished_at, clock_timestamp()),
            (extract(epoch FROM (coalesce(r.finished_at, clock_timestamp()) - r.started_at)) * 1000)::int,
            n.read, n.loaded, n.rejected, greatest(n.read - n.loaded - n.rejected, 0), n.nodes
       FROM runs r
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(nr.rows_in) FILTER (WHERE nr.node_type = ANY($2::text[])), 0) AS read,
               coalesce(sum(nr.rows_out) FILTER (WHERE nr.node_type = ANY($3::text[])), 0) AS loaded,
               coalesce(sum(nr.rows_rejected), 0) AS rejected,
               coalesce(jsonb_agg(jsonb_build_object('nodeId', nr.node_id, 'nodeType', nr.node_type, 'status', nr.status,
                          'durationMs', (extract(epoch FROM (nr.finished_at - nr.started_at)) * 1000)::int) ORDER BY nr.node_id), '[]'::jsonb) AS nodes
          FROM node_runs nr WHERE nr.run_id = r.id) n
      WHERE r.id = $1
     ON CONFLICT (run_id) DO UPDATE SET
       status = excluded.status, started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
       rows_read = excluded.rows_read, rows_loaded = excluded.rows_loaded, rows_quarantined = excluded.rows_quarantined,
       rows_discarded = excluded.rows_discarded, nodes = excluded.nodes`,
    [runId, typesOfKind("source"), typesOfKind("destination")],
  );
  await client.query("DELETE FROM run_quarantine_stats WHERE run_id = $1", [runId]);
  await client.query(
    `INSERT INTO run_quarantine_stats (run_id, pipeline_id, finished_at, node_id, field, rule, violations)
     SELECT q.run_id, s.pipeline_id, s.finished_at, q.node_id, coalesce(e->>'field', ''), coalesce(e->>'rule', ''), count(*)
       FROM quarantined_records q
       JOIN run_stats s ON s.run_id = q.run_id
      CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(q.errors) = 'array' THEN q.errors ELSE '[]'::jsonb END) e
      WHERE q.run_id = $1
      GROUP BY 1, 2, 3, 4, 5, 6`,
    [runId],
  );
}
