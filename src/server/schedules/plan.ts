/**
 * What a scheduler tick does with one due schedule: which fire times run, which are
 * skipped as missed, and when the schedule is due next. Pure, so the policies are tested
 * with any clock.
 */
import type { TCompiledSchedule } from "./cron";

export type TCatchUp = "none" | "latest" | "all";

/** A fire time older than this when a tick sees it was missed (no scheduler was up), not merely late. */
export const MISSED_AFTER_MS = 2 * 60_000;

/** `catchUp: "all"` runs at most this many missed fire times, the most recent ones. */
export const MAX_CATCH_UP_RUNS = 24;

/** Fire times a tick walks through one by one before it jumps to the last day before now. */
const SCAN_LIMIT = 2_000;

export interface TFirePlan {
  /** Fire times to run, oldest first. */
  run: Date[];
  /** Missed fire times that will not run. */
  skipped: number;
  /** True when there were so many missed fire times that `skipped` is a lower bound. */
  skippedAtLeast: boolean;
  /** The first fire time after `now`. */
  nextFireAt: Date | null;
}

/**
 * Every fire time from `dueAt` (inclusive) up to `now` (inclusive), sorted into run and
 * skipped by the catch-up policy:
 * - `none`: only a fire time that is late by less than {@link MISSED_AFTER_MS} runs;
 * - `latest`: the most recent fire time runs, however late;
 * - `all`: every missed fire time runs, at most the {@link MAX_CATCH_UP_RUNS} most recent.
 * A schedule that fired every minute while no worker was up for a year costs at most
 * SCAN_LIMIT steps: past that, only the last day before `now` is walked.
 */
export function planFires(schedule: TCompiledSchedule, dueAt: Date, now: Date, catchUp: TCatchUp): TFirePlan {
  const recent: Date[] = [];
  let skipped = 0;
  let skippedAtLeast = false;
  let walked = 0;
  for (let fire: Date | null = dueAt; fire && fire <= now; ) {
    recent.push(fire);
    if (recent.length > MAX_CATCH_UP_RUNS) {
      recent.shift();
      skipped++;
    }
    walked++;
    const lastDay = new Date(now.getTime() - 24 * 3600_000);
    if (walked === SCAN_LIMIT && lastDay > fire) {
      skippedAtLeast = true;
      fire = schedule.nextAfter(lastDay);
    } else {
      fire = schedule.nextAfter(fire);
    }
  }
  const nextFireAt = schedule.nextAfter(now);
  const latest = recent.at(-1);
  if (!latest) return { run: [], skipped, skippedAtLeast, nextFireAt };
  if (catchUp === "all") return { run: recent, skipped, skippedAtLeast, nextFireAt };
  const older = skipped + recent.length - 1;
  const late = now.getTime() - latest.getTime() > MISSED_AFTER_MS;
  if (catchUp === "none" && late) return { run: [], skipped: older + 1, skippedAtLeast, nextFireAt };
  return { run: [latest], skipped: older, skippedAtLeast, nextFireAt };
}
