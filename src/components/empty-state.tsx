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
      className="mx-auto flex max-w-2xl flex-col items-center rounded-xl border border-dashed border-slate-300 bg-white px-8 py-12 text-center"
    >
      {icon ? (
        <span aria-hidden className="mb-3 flex size-12 items-center justify-center rounded-full bg-sky-50 text-sky-700">
          {icon}
        </span>
      ) : null}
      <h2 className="text-lg font-semibold text-slate-900">{title}</h2>
      {children ? <div className="mt-2 text-sm leading-6 text-slate-600">{children}</div> : null}
      {actions ? <div className="mt-6 flex flex-wrap justify-center gap-3">{actions}</div> : null}
    </section>
  );
}
