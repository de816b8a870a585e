import { formatDateTime, formatRelativeTime } from "./format";

/** A relative time ("5 minutes ago") with the exact instant in the tooltip and the machine-readable attribute. */
export function RelativeTime({ date, now }: { date: Date | null | undefined; now?: Date }) {
  if (!date) return <span className="text-slate-400">—</span>;
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatRelativeTime(date, now)}
    </time>
  );
}
