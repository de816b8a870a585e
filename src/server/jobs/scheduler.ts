import type pg from "pg";
import { tickSchedules } from "../services/schedules";

/**
 * Every worker process ticks; the ticks share the work through row locks (see
 * services/schedules.ts), so any number of workers make one scheduler. `now` is the clock,
 * replaceable in tests.
 */
export function startScheduler(pool: pg.Pool, options: { tickMs: number; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  let ticking: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    ticking = tickSchedules(pool, now()).catch((error: unknown) => {
      if (!stopped) console.error(`[scheduler] tick failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  const timer = setInterval(tick, options.tickMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await ticking;
    },
  };
}
