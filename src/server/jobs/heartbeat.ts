import { randomUUID } from "node:crypto";
import type pg from "pg";

/**
 * Keeps this process's graphile-worker workers marked alive, and unlocks jobs held by
 * workers that stopped beating (a process killed with kill -9 never unlocks its jobs;
 * graphile-worker would otherwise wait 4 hours before retrying them).
 */
export function startHeartbeat(pool: pg.Pool, options: { staleSeconds: number }) {
  const processId = randomUUID();
  const lockerIds = new Set<string>();
  const beatEveryMs = Math.max(250, (options.staleSeconds * 1000) / 4);

  const report = (error: unknown) => console.error(`[worker] heartbeat: ${error instanceof Error ? error.message : String(error)}`);

  const beat = async () => {
    if (lockerIds.size === 0) return;
    await pool.query(
      `INSERT INTO worker_heartbeats (worker_id, process_id, heartbeat_at)
       SELECT unnest($1::text[]), $2, now()
       ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`,
      [[...lockerIds], processId],
    );
  };

  /** A lock older than the staleness window whose worker has no recent beat belongs to a dead worker. */
  const reclaim = async () => {
    await pool.query(
      `SELECT graphile_worker.force_unlock_workers(ARRAY(
         SELECT DISTINCT j.locked_by FROM graphile_worker.jobs j
          WHERE j.locked_by IS NOT NULL
            AND j.locked_at < now() - make_interval(secs => $1)
            AND NOT EXISTS (SELECT 1 FROM worker_heartbeats h
                             WHERE h.worker_id = j.locked_by AND h.heartbeat_at > now() - make_interval(secs => $1))))`,
      [options.staleSeconds],
    );
    await pool.query(`DELETE FROM worker_heartbeats WHERE heartbeat_at < now() - make_interval(secs => $1 * 10)`, [options.staleSeconds]);
  };

  const timer = setInterval(() => {
    void beat().then(reclaim).catch(report);
  }, beatEveryMs);
  timer.unref();

  return {
    /** Call with every id this process locks jobs under (graphile-worker's worker pool ids). */
    add(lockerId: string) {
      lockerIds.add(lockerId);
      void beat().catch(report);
    },
    /** Reclaims at once, e.g. on start after a crash. */
    reclaim,
    async stop() {
      clearInterval(timer);
      await pool.query("DELETE FROM worker_heartbeats WHERE process_id = $1", [processId]).catch(report);
    },
  };
}
