import type pg from "pg";
import { ident, sql } from "@/nodes/sql";
import { getPool } from "../db/client";
import { query, transaction } from "../db/query";
import { runSchemaName } from "../engine/plan";
import { enqueue } from "../queue/job";
import { retentionJob } from "../queue/jobs";
import { defineTask } from "./define-task";
/** Runs deleted per job; a bigger backlog re-enqueues the job so no transaction grows large. */
const BATCH = 50;

/**
 * Forgets runs older than their workspace's retention: each run's data schema (node
 * outputs, which lineage reads), its quarantined records and its node runs. Returns
 * how many runs were deleted.
 */
export async function deleteExpiredRuns(pool: pg.Pool, limit = BATCH): Promise<number> {
  const expired = await pool.query<{ id: string }>(
    `SELECT r.id::text FROM runs r JOIN workspaces w ON w.id = r.workspace_id
      WHERE r.created_at < now() - make_interval(days => w.retention_days)
        AND r.status NOT IN ('queued', 'running')
      ORDER BY r.created_at LIMIT $1`,
    [limit],
  );
  for (const { id } of expired.rows) {
    await transaction(pool, async (client) => {
      await query(client, sql`DROP SCHEMA IF EXISTS ${ident(runSchemaName(id))} CASCADE`);
      await client.query("DELETE FROM quarantined_records WHERE run_id = $1", [id]);
      await client.query("DELETE FROM runs WHERE id = $1", [id]);
    });
  }
  return expired.rows.length;
}

export const retentionTask = defineTask(retentionJob, async (_payload, helpers) => {
  const pool = getPool();
  const deleted = await deleteExpiredRuns(pool);
  if (deleted > 0) helpers.logger.info(`retention: deleted ${deleted} expired runs`);
  if (deleted === BATCH) await enqueue(pool, retentionJob, {}, { jobKey: retentionJob.name });
});
