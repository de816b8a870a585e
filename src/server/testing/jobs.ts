import type pg from "pg";

/** Jobs of one task waiting in graphile-worker's queue, oldest run_at first. */
export async function queuedJobs<TPayload = Record<string, unknown>>(db: pg.Pool, task: string) {
  const jobs = await db.query<{ key: string | null; payload: TPayload; run_at: Date; attempts: number; last_error: string | null }>(
    `SELECT j.key, j.payload, j.run_at, j.attempts, j.last_error FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE t.identifier = $1 ORDER BY j.run_at, j.id`,
    [task],
  );
  return jobs.rows;
}
