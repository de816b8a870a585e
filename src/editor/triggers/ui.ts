/** Class names the trigger sections share, matching the editor's side panel. */
export const sectionClass = "space-y-3 border-b border-slate-200 p-4";
export const headingClass = "text-sm font-semibold text-slate-900";
export const labelClass = "block text-sm font-medium text-slate-700";
export const inputClass =
  "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm focus:border-sky-500 focus:outline-none disabled:bg-slate-50 disabled:text-slate-600";
export const primaryButtonClass = "rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white shadow-xs hover:bg-sky-800 disabled:opacity-60";
export const secondaryButtonClass =
  "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-xs hover:bg-slate-50 disabled:opacity-60";
export const dangerButtonClass = "rounded-md border border-red-200 bg-white px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-60";
export const confirmDangerClass = "rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60";
export const errorClass = "rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800";
