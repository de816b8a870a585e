import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type pg from "pg";
import { reportConnectionError } from "../stopping";
import type { THeartbeatThreadData, THeartbeatThreadMessage } from "./heartbeat-thread";

/**
 * Keeps this process's graphile-worker workers marked alive, and unlocks jobs held by
 * workers that stopped beating (a process killed with kill -9 never unlocks its jobs;
 * graphile-worker would otherwise wait 4 hours before retrying them). The beats come from
 * a thread of their own (heartbeat-thread.ts), so only a process that is gone stops beating.
 */
export function startHeartbeat(pool: pg.Pool, options: { staleSeconds: number; connectionString: string }) {
  const processId = randomUUID();
  const beatEveryMs = Math.max(250, (options.staleSeconds * 1000) / 4);

  const report = (error: unknown) => reportConnectionError("[worker] heartbeat", error);

  const data: THeartbeatThreadData = { connectionString: options.connectionString, processId, beatEveryMs };
  // Threads do not inherit tsx's loader on Node 20: the thread registers it, then loads its TypeScript module.
  const module = JSON.stringify(new URL("./heartbeat-thread.ts", import.meta.url).href);
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const bootstrap = `import(${tsx}).then(({ register }) => { register(); return import(${module}); })`;
  const thread = new Worker(bootstrap, { eval: true, workerData: data });
  thread.on("message", (message: { error?: string }) => message.error && report(message.error));
  thread.on("error", report);
  thread.unref();
  const tell = (message: THeartbeatThreadMessage) => thread.postMessage(message);

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

  let ticking: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    ticking = reclaim().catch(report);
  }, beatEveryMs);
  timer.unref();

  return {
    /** Call with every id this process locks jobs under (graphile-worker's worker pool ids). */
    add(lockerId: string) {
      tell({ add: lockerId });
    },
    /** Reclaims at once, e.g. on start after a crash. */
    reclaim,
    async stop() {
      clearInterval(timer);
      await ticking;
      const exited = once(thread, "exit");
      tell({ stop: true });
      await exited;
      await pool.query("DELETE FROM worker_heartbeats WHERE process_id = $1", [processId]).catch(report);
    },
  };
}
