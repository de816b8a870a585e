/**
 * Cron presets for the schedule form: the schedules people ask for most, written as the
 * five-field expressions the server reads, and recognised again in a saved expression so
 * the matching preset shows as chosen.
 */

export type TPresetId = "every-15-minutes" | "hourly" | "daily" | "weekdays" | "weekly";

export interface TPreset {
  id: TPresetId;
  label: string;
  /** Whether the preset uses the "at" time of day. */
  timed: boolean;
}

export const PRESETS: readonly TPreset[] = [
  { id: "every-15-minutes", label: "Every 15 minutes", timed: false },
  { id: "hourly", label: "Hourly", timed: false },
  { id: "daily", label: "Daily at", timed: true },
  { id: "weekdays", label: "Weekdays at", timed: true },
  { id: "weekly", label: "Mondays at", timed: true },
];

/** "06:30" → [6, 30]; anything else → midnight. */
function parseTime(time: string): [number, number] {
  const match = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!match) return [0, 0];
  return [Math.min(23, Number(match[1])), Math.min(59, Number(match[2]))];
}

/** The expression of a preset; `time` ("HH:MM") is the time of day of the timed ones. */
export function presetCron(id: TPresetId, time: string): string {
  const [hour, minute] = parseTime(time);
  switch (id) {
    case "every-15-minutes":
      return "*/15 * * * *";
    case "hourly":
      return "0 * * * *";
    case "daily":
      return `${minute} ${hour} * * *`;
    case "weekdays":
      return `${minute} ${hour} * * 1-5`;
    case "weekly":
      return `${minute} ${hour} * * 1`;
  }
}

const TIMED = /^(\d{1,2}) (\d{1,2}) \* \* (\*|1-5|1)$/;

/** The preset an expression is, with its time of day, or null for any other expression. */
export function matchPreset(cron: string): { id: TPresetId; time: string | null } | null {
  const expression = cron.trim().replace(/\s+/g, " ");
  if (expression === "*/15 * * * *") return { id: "every-15-minutes", time: null };
  if (expression === "0 * * * *") return { id: "hourly", time: null };
  const match = TIMED.exec(expression);
  if (!match) return null;
  const minute = Number(match[1]);
  const hour = Number(match[2]);
  if (minute > 59 || hour > 23) return null;
  const time = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
  const id = match[3] === "*" ? "daily" : match[3] === "1-5" ? "weekdays" : "weekly";
  return { id, time };
}

/** A fire time as people in the schedule's timezone read it: "Mon, 7 Dec 2026, 06:05 CET". */
export function formatFireTime(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(at);
}
