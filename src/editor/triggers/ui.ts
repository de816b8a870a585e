/** Class names the trigger sections share, matching the editor's side panel. */
export const sectionClass = "space-y-3 border-b border-slate-200 dark:border-slate-700 p-4";
export const headingClass = "text-sm font-semibold text-slate-900 dark:text-slate-100";
export const labelClass = "block text-sm font-medium text-slate-700 dark:text-slate-300";
export const inputClass =
  "w-full rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2.5 py-1.5 text-sm focus:border-sky-500 focus:outline-none disabled:bg-slate-50 dark:disabled:bg-slate-950 disabled:text-slate-600 dark:disabled:text-slate-300";
export const primaryButtonClass = "rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white shadow-xs hover:bg-sky-800 disabled:opacity-60";
export const secondaryButtonClass =
  "rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-1.5 text-sm font-medium text-slate-700 dark:text-slate-300 shadow-xs hover:bg-slate-50 dark:hover:bg-slate-800 disabled:opacity-60";
export const dangerButtonClass = "rounded-md border border-red-200 dark:border-red-800 bg-white dark:bg-slate-900 px-3 py-1.5 text-sm font-medium text-red-700 dark:text-red-300 hover:bg-red-50 dark:hover:bg-red-950/50 disabled:opacity-60";
export const confirmDangerClass = "rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60";
export const errorClass = "rounded-md border border-red-200 dark:border-red-800 bg-red-50 dark:bg-red-950/50 px-3 py-2 text-sm text-red-800 dark:text-red-200";
