import type pg from "pg";
import { z } from "zod";
import { ident, render, sql } from "@/nodes/sql";
import { getPool } from "../db/client";
import { runSchemaName } from "../engine/plan";
import { defineTask } from "./define-task";

export const RETENTION_TASK = "retention-cleanup";
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
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(render(sql`DROP SCHEMA IF EXISTS ${ident(runSchemaName(id))} CASCADE`).text);
      await client.query("DELETE FROM quarantined_records WHERE run_id = $1", [id]);
      await client.query("DELETE FROM runs WHERE id = $1", [id]);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
  return expired.rows.length;
}

export const retentionTask = defineTask(RETENTION_TASK, z.object({}).loose(), async (_payload, helpers) => {
  const deleted = await deleteExpiredRuns(getPool());
  if (deleted > 0) helpers.logger.info(`retention: deleted ${deleted} expired runs`);
  if (deleted === BATCH) await helpers.addJob(RETENTION_TASK, {}, { jobKey: RETENTION_TASK });
});
