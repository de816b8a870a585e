import type { RunStatus } from "@/generated/prisma/enums";
import { StatusIcon } from "./icons";

/** Every run and node status, in lifecycle order (filters and legends list them this way). */
export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "skipped", "canceled"] as const satisfies readonly RunStatus[];

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === "string" && (RUN_STATUSES as readonly string[]).includes(value);
}

/** Queued and running runs still change; pages poll while any is shown. */
export function isActiveStatus(status: RunStatus): boolean {
  return status === "queued" || status === "running";
}

interface StatusStyle {
  label: string;
  badge: string;
  /** Fill and border for bars and graph nodes drawn in this status. */
  fill: string;
  border: string;
}

export const STATUS_STYLES: Record<RunStatus, StatusStyle> = {
  queued: { label: "Queued", badge: "bg-slate-100 dark:bg-slate-800 text-slate-700 dark:text-slate-300 ring-slate-300 dark:ring-slate-600", fill: "bg-slate-300 dark:bg-slate-600", border: "border-slate-400 dark:border-slate-500" },
  running: { label: "Running", badge: "bg-sky-50 dark:bg-sky-950/50 text-sky-800 dark:text-sky-200 ring-sky-300 dark:ring-sky-700", fill: "bg-sky-500", border: "border-sky-500" },
  succeeded: { label: "Succeeded", badge: "bg-emerald-50 dark:bg-emerald-950/50 text-emerald-800 dark:text-emerald-200 ring-emerald-300 dark:ring-emerald-700", fill: "bg-emerald-500", border: "border-emerald-500" },
  failed: { label: "Failed", badge: "bg-rose-50 dark:bg-rose-950/50 text-rose-800 dark:text-rose-200 ring-rose-300 dark:ring-rose-700", fill: "bg-rose-500", border: "border-rose-500" },
  skipped: { label: "Skipped", badge: "bg-amber-50 dark:bg-amber-950/50 text-amber-800 dark:text-amber-200 ring-amber-300 dark:ring-amber-700", fill: "bg-amber-300", border: "border-amber-400" },
  canceled: { label: "Canceled", badge: "bg-zinc-100 dark:bg-zinc-800 text-zinc-700 dark:text-zinc-300 ring-zinc-300 dark:ring-zinc-600", fill: "bg-zinc-400", border: "border-zinc-400 dark:border-zinc-500" },
};

/** A run or node status as text plus icon plus colour. */
export function StatusBadge({ status, className = "" }: { status: RunStatus; className?: string }) {
  const style = STATUS_STYLES[status];
  return (
    <span
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${style.badge} ${className}`}
    >
      <StatusIcon status={status} />
      {style.label}
    </span>
  );
}
