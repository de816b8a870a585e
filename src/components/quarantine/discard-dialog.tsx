"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { buttonStyles } from "../page-header";
import { errorMessage } from "../trpc-error";
import type { TQuarantineTargetInput } from "./bulk-fix-dialog";

/** Discard with a reason (render it only while open): the records leave the review queue for good, the reason stays in each one's history. */
export function DiscardDialog({
  onClose,
  target,
  targetLabel,
  onDiscarded,
}: {
  onClose: () => void;
  target: TQuarantineTargetInput;
  targetLabel: string;
  onDiscarded: (records: number) => void;
}) {
  const trpc = useTRPC();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [reason, setReason] = useState("");
  const discard = useMutation(
    trpc.quarantine.discard.mutationOptions({
      onSuccess: (result) => {
        onDiscarded(result.records);
        onClose();
      },
    }),
  );

  // Mounted only while open: a fresh reason and error each time.
  useEffect(() => dialogRef.current?.showModal(), []);

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-full max-w-md rounded-xl border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim()) discard.mutate({ target, reason });
        }}
        className="flex flex-col gap-4 p-6"
      >
        <h2 id={titleId} className="text-lg font-semibold">
          Discard records
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-300">Discards {targetLabel}. They will not be re-ingested; re-ingested records are left as they are.</p>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
          Reason
          <textarea
            required
            value={reason}
            maxLength={2000}
            onChange={(event) => setReason(event.target.value)}
            className="min-h-20 rounded-md border border-slate-300 dark:border-slate-600 px-2.5 py-1.5 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-sky-600"
          />
        </label>
        {discard.error ? (
          <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
            {errorMessage(discard.error)}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <button type="button" onClick={onClose} className={buttonStyles.secondary}>
            Cancel
          </button>
          <button type="submit" disabled={!reason.trim() || discard.isPending} className={buttonStyles.primary}>
            {discard.isPending ? "Discarding…" : "Discard"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
