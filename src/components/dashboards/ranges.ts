/** The time ranges a dashboard offers, as they appear in the URL (`?range=7d`). */
export const RANGES = [
  { key: "24h", label: "24 hours", ms: 86_400_000 },
  { key: "7d", label: "7 days", ms: 7 * 86_400_000 },
  { key: "30d", label: "30 days", ms: 30 * 86_400_000 },
  { key: "90d", label: "90 days", ms: 90 * 86_400_000 },
] as const;
export type TRangeKey = (typeof RANGES)[number]["key"];
export const DEFAULT_RANGE: TRangeKey = "30d";

export function parseRange(value: string | null | undefined): TRangeKey {
  return RANGES.find((r) => r.key === value)?.key ?? DEFAULT_RANGE;
}

/** The instants a range covers, ending at `now` rounded down to the minute so the query key stays stable between polls. */
export function rangeInput(key: TRangeKey, now: number = Date.now()): { from: Date; to: Date } {
  const to = Math.floor(now / 60_000) * 60_000 + 60_000;
  return { from: new Date(to - RANGES.find((r) => r.key === key)!.ms), to: new Date(to) };
}
