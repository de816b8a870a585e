/** The parameter values a run used, as it recorded them (defaults filled in); nothing when it had none. */
export function RunParams({ params }: { params: unknown }) {
  if (typeof params !== "object" || params === null || Array.isArray(params)) return null;
  const entries = Object.entries(params);
  if (entries.length === 0) return null;
  return (
    <section aria-label="Parameters" className="rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 px-4 py-3 text-sm shadow-sm">
      <h2 className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Parameters</h2>
      <dl className="mt-1.5 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
        {entries.map(([name, value]) => (
          <div key={name} className="contents">
            <dt className="font-mono text-slate-600 dark:text-slate-300">{name}</dt>
            <dd className="min-w-0 break-words font-mono text-slate-900 dark:text-slate-100">{typeof value === "string" ? value : JSON.stringify(value)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
