/**
 * Cron expressions read in a timezone, with croner (fire times, daylight-saving aware) and
 * cronstrue (the expression in words). Five fields, minute precision: the precision a
 * pipeline schedule needs, and the form people know from crontab.
 */
import { Cron } from "croner";
import cronstrue from "cronstrue";
import { InvalidSettingError } from "../errors";

/** The IANA name of `timezone` as the runtime spells it, or an error naming the problem. */
export function canonicalTimezone(timezone: string): string {
  const trimmed = timezone.trim();
  if (trimmed === "") throw new InvalidSettingError("timezone", "the timezone is empty: name one such as Europe/Oslo or UTC");
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    throw new InvalidSettingError("timezone", `"${trimmed}" is not a timezone: use an IANA name such as Europe/Oslo, America/New_York or UTC`);
  }
}

export interface TCompiledSchedule {
  cron: string;
  timezone: string;
  /** The schedule in words, with its timezone: "At 5 minutes past the hour, Europe/Oslo". */
  description: string;
  /** The first fire time strictly after `after`, or null when there is none (a date that never comes). */
  nextAfter(after: Date): Date | null;
  /** Up to `count` fire times strictly after `after`. */
  next(count: number, after: Date): Date[];
}

function cronProblem(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^CronPattern:\s*/, "");
}

/** Checks a cron expression and timezone together; throws {@link InvalidSettingError} with the reason. */
export function compileSchedule(cron: string, timezone: string): TCompiledSchedule {
  const expression = cron.trim().replace(/\s+/g, " ");
  const zone = canonicalTimezone(timezone);
  if (expression === "") throw new InvalidSettingError("cron", "the cron expression is empty: five fields, e.g. 5 * * * * for every hour at :05");
  const fields = expression.split(" ").length;
  if (fields !== 5) {
    throw new InvalidSettingError("cron", `a cron expression has five fields (minute hour day-of-month month day-of-week); "${expression}" has ${fields}`);
  }
  let job: Cron;
  try {
    job = new Cron(expression, { timezone: zone, mode: "5-part", paused: true });
  } catch (error) {
    throw new InvalidSettingError("cron", `"${expression}" is not a valid cron expression: ${cronProblem(error)}`);
  }
  let words: string;
  try {
    words = cronstrue.toString(expression, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch (error) {
    throw new InvalidSettingError("cron", `"${expression}" is not a valid cron expression: ${String(error)}`);
  }
  const nextAfter = (after: Date) => job.nextRun(after);
  if (nextAfter(new Date()) === null) throw new InvalidSettingError("cron", `"${expression}" never fires from now on`);
  return {
    cron: expression,
    timezone: zone,
    description: `${words}, ${zone}`,
    nextAfter,
    next: (count, after) => job.nextRuns(count, after),
  };
}
