import type { ReactNode } from "react";

/** What a section looks like with nothing in it yet: what it is for and what to do first. */
export function EmptyState({
  icon,
  title,
  children,
  actions,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section
      aria-label={title}
      className="mx-auto flex max-w-2xl flex-col items-center rounded-xl border border-dashed border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-8 py-12 text-center"
    >
      {icon ? (
        <span aria-hidden className="mb-3 flex size-12 items-center justify-center rounded-full bg-sky-50 dark:bg-sky-950/50 text-sky-700 dark:text-sky-300">
          {icon}
        </span>
      ) : null}
      <h2 className="text-lg font-semibold text-slate-900 dark:text-slate-100">{title}</h2>
      {children ? <div className="mt-2 text-sm leading-6 text-slate-600 dark:text-slate-300">{children}</div> : null}
      {actions ? <div className="mt-6 flex flex-wrap justify-center gap-3">{actions}</div> : null}
    </section>
  );
}
