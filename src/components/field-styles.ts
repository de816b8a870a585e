/** Form controls styled as the settings forms are: a label wrapping its control, a hint under it. */
export const fieldStyles = {
  label: "flex min-w-0 flex-col gap-1 text-sm font-medium text-slate-800 dark:text-slate-200",
  input: "rounded-md border border-slate-300 dark:border-slate-600 px-3 py-2 text-sm font-normal shadow-sm",
  select: "rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-2 text-sm font-normal shadow-sm",
  hint: "text-xs font-normal text-slate-500 dark:text-slate-400",
} as const;
