import type { ReactNode } from "react";

export const smallButton = "rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-1.5 text-xs font-medium text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800 disabled:opacity-60";

/** The second step of a row's Delete: what deleting takes with it, then "Yes" or Cancel. */
export function ConfirmDelete({ what, confirmLabel = "Yes, delete", note, pending, onConfirm, onCancel, className = "flex gap-2" }: {
  /** The thing's name, for the group's label. */
  what: string;
  confirmLabel?: string;
  note?: ReactNode;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  className?: string;
}) {
  const buttons = (
    <>
      <button type="button" onClick={onConfirm} disabled={pending} className="rounded-md bg-rose-700 px-3 py-1.5 text-xs font-medium text-white hover:bg-rose-800 disabled:opacity-60">
        {pending ? "Deleting…" : confirmLabel}
      </button>
      <button type="button" onClick={onCancel} className={smallButton}>
        Cancel
      </button>
    </>
  );
  return (
    <div role="group" aria-label={`Confirm deleting ${what}`} className={className}>
      {note ? (
        <>
          {note}
          <div className="flex gap-2">{buttons}</div>
        </>
      ) : (
        buttons
      )}
    </div>
  );
}
