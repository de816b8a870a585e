import { EventEmitter } from "node:events";
import { parseCronItems, run, type Runner, type WorkerEvents } from "graphile-worker";
import pg from "pg";
import { quietWorkerLogger } from "../db/prepare";
import { setProcessCancellations, watchCancellations } from "./cancellation";
import { startHeartbeat } from "./heartbeat";
import { startScheduler } from "./scheduler";
import { reportConnectionError } from "../stopping";
import { cronItems, taskList } from "./tasks";

export interface WorkerHandle {
  stop(): Promise<void>;
  /** Resolves when the worker stops by itself (e.g. a fatal error). */
  done: Promise<void>;
}

/**
 * Starts graphile-worker with the explicit task list (no directory scan inside
 * Next.js) and the cron items from code (an empty `crontab` option would still read a
 * ./crontab file). Signals are left to the caller, who stops the worker before the database.
 */
export async function startWorker(options: {
  connectionString: string;
  concurrency: number;
  /** Seconds without a heartbeat after which a worker's jobs are taken back. */
  staleSeconds: number;
  /** How often this worker looks for due schedules. Default 5 s. */
  schedulerTickMs?: number;
}): Promise<WorkerHandle> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.concurrency + 4 });
  pool.on("error", (error) => reportConnectionError("[worker] idle connection error", error));
  pool.on("connect", (client) => client.on("error", (error) => reportConnectionError("[worker] connection error", error)));
  const heartbeat = startHeartbeat(pool, { staleSeconds: options.staleSeconds, connectionString: options.connectionString });
  const cancellations = watchCancellations(pool);
  setProcessCancellations(cancellations);
  const scheduler = startScheduler(pool, { tickMs: options.schedulerTickMs ?? 5_000 });
  const events: WorkerEvents = new EventEmitter();
  // Jobs are locked in the name of the worker pool (graphile-worker 0.18 `getJob(workerPool.id)`).
  events.on("pool:create", ({ workerPool }) => heartbeat.add(workerPool.id));
  let runner: Runner;
  try {
    await heartbeat.reclaim();
    runner = await run({
      events,
      pgPool: pool,
      concurrency: options.concurrency,
      taskList,
      parsedCronItems: parseCronItems(cronItems),
      noHandleSignals: true,
      logger: quietWorkerLogger,
      pollInterval: 1000,
    });
  } catch (error) {
    await scheduler.stop();
    cancellations.stop();
    await heartbeat.stop();
    await pool.end();
    throw error;
  }
  return {
    done: runner.promise.then(() => undefined),
    async stop() {
      await scheduler.stop();
      await runner.stop();
      cancellations.stop();
      setProcessCancellations(undefined);
      await heartbeat.stop();
      await pool.end();
    },
  };
}
