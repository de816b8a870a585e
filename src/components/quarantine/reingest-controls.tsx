"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { useTRPC, type RouterInputs } from "@/trpc/react";
import { formatCount } from "../format";
import { buttonStyles } from "../page-header";
import { errorMessage } from "../trpc-error";

type TFilterInput = Extract<RouterInputs["quarantine"]["reingest"]["target"], { filter: unknown }>["filter"];

/** More records than this at once are re-ingested only after a confirmation naming the count. */
export const CONFIRM_ABOVE = 100;

/**
 * One click re-ingest: the selected records, or every fixed record of the current filter,
 * go back through the pipeline from the node that rejected them, as new runs linked to
 * their original runs. The version choice defaults to the one each original run pinned.
 */
export function ReingestControls({
  filter,
  selectedIds,
  selection,
  onStarted,
}: {
  filter: TFilterInput;
  selectedIds: string[];
  /** "All matching" is selected: the filter is the target, `count` how many it matches. */
  selection?: { target: { filter: TFilterInput }; count: number };
  onStarted: () => void;
}) {
  const trpc = useTRPC();
  const versionId = useId();
  const [version, setVersion] = useState<"pinned" | "current">("pinned");
  const reingest = useMutation(trpc.quarantine.reingest.mutationOptions({ onSuccess: () => onStarted() }));
  const selected = selection ? selection.count : selectedIds.length;
  const [confirming, setConfirming] = useState(false);
  const start = () => {
    setConfirming(false);
    reingest.mutate({ target: selection ? selection.target : { ids: selectedIds }, version });
  };

  return (
    <div className="flex flex-wrap items-center gap-2">
      <label htmlFor={versionId} className="text-xs font-medium text-slate-600 dark:text-slate-300">
        Re-ingest under
      </label>
      <select
        id={versionId}
        value={version}
        onChange={(event) => setVersion(event.target.value === "current" ? "current" : "pinned")}
        className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2 py-1.5 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-sky-600"
      >
        <option value="pinned">the version each run used</option>
        <option value="current">the current version</option>
      </select>
      {selected > 0 ? (
        <button
          type="button"
          disabled={reingest.isPending}
          onClick={() => (selected > CONFIRM_ABOVE ? setConfirming(true) : start())}
          className={buttonStyles.primary}
        >
          Re-ingest {formatCount(selected)} selected
        </button>
      ) : null}
      {confirming && selected > 0 ? (
        <span role="alertdialog" aria-label="Confirm re-ingest" className="flex items-center gap-2 rounded-md border border-amber-300 dark:border-amber-700 bg-amber-50 dark:bg-amber-950/50 px-3 py-1.5 text-sm text-amber-950 dark:text-amber-100">
          Send {formatCount(selected)} records back through the pipeline?
          <button type="button" className={buttonStyles.primary} onClick={start}>
            Re-ingest {formatCount(selected)}
          </button>
          <button type="button" className={buttonStyles.secondary} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : null}
      <button
        type="button"
        disabled={reingest.isPending}
        onClick={() => reingest.mutate({ target: { filter: { ...filter, status: "fixed" } }, version })}
        className={selected > 0 ? buttonStyles.secondary : buttonStyles.primary}
      >
        Re-ingest all fixed
      </button>
      {reingest.isPending ? (
        <span role="status" className="text-sm text-slate-600 dark:text-slate-300">
          Starting…
        </span>
      ) : reingest.data ? (
        <span role="status" className="text-sm text-emerald-800 dark:text-emerald-200">
          Re-ingesting {formatCount(reingest.data.records)} record{reingest.data.records === 1 ? "" : "s"} in{" "}
          {reingest.data.runIds.map((id, index) => (
            <span key={id}>
              {index > 0 ? ", " : ""}
              <Link href={`/runs/${id}`} className={buttonStyles.link}>
                run {id.slice(0, 8)}
              </Link>
            </span>
          ))}
        </span>
      ) : reingest.error ? (
        <span role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {errorMessage(reingest.error)}
        </span>
      ) : null}
    </div>
  );
}
