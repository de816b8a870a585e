import type pg from "pg";

/**
 * Tells the node jobs of this process when their run was canceled. One query a second
 * over the runs that have a job here (none when idle) is enough to stop nodes "within
 * seconds"; the cancel itself already stopped their queries in PostgreSQL.
 */
export interface CancellationWatch {
  /** An abort signal that fires when `runId` is canceled; call `release` when the job ends. */
  watch(runId: string): { signal: AbortSignal; release(): void };
  stop(): void;
}

const POLL_MS = 1000;

export function watchCancellations(pool: pg.Pool): CancellationWatch {
  const watchers = new Map<string, Set<AbortController>>();
  let polling = false;
  const poll = async () => {
    if (polling || watchers.size === 0) return;
    polling = true;
    try {
      const canceled = await pool.query<{ id: string }>("SELECT id FROM runs WHERE id = ANY($1::uuid[]) AND status = 'canceled'", [[...watchers.keys()]]);
      for (const { id } of canceled.rows) for (const controller of watchers.get(id) ?? []) controller.abort(new Error(`run ${id} was canceled`));
    } catch (error) {
      console.error(`[worker] cancellation check: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), POLL_MS);
  timer.unref();
  return {
    watch(runId) {
      const controller = new AbortController();
      const set = watchers.get(runId) ?? new Set();
      set.add(controller);
      watchers.set(runId, set);
      return {
        signal: controller.signal,
        release() {
          set.delete(controller);
          if (set.size === 0) watchers.delete(runId);
        },
      };
    },
    stop() {
      clearInterval(timer);
    },
  };
}

const holder = globalThis as unknown as { __sluiceCancellations?: CancellationWatch };

/** The watch of this worker process (started with the worker), or none in processes without one. */
export function processCancellations(): CancellationWatch | undefined {
  return holder.__sluiceCancellations;
}

export function setProcessCancellations(watch: CancellationWatch | undefined): void {
  holder.__sluiceCancellations = watch;
}
