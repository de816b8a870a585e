"use client";

import { forwardRef, type ReactNode } from "react";

/**
 * A panel in the browser's top layer (the native popover API): Escape and clicks outside
 * close it, focus returns to its button. Positioned under the toolbar, at the right.
 */
export const Popover = forwardRef<HTMLDivElement, { id: string; label: string; children: ReactNode; className?: string }>(function Popover(
  { id, label, children, className },
  ref,
) {
  return (
    <div
      ref={ref}
      id={id}
      popover="auto"
      role="dialog"
      aria-label={label}
      className={`fixed inset-auto top-14 right-4 m-0 w-96 max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-0 text-slate-900 dark:text-slate-100 shadow-xl ${className ?? ""}`}
    >
      <h2 className="border-b border-slate-200 dark:border-slate-700 px-4 py-2.5 text-sm font-semibold">{label}</h2>
      {children}
    </div>
  );
});
