"use client";

import { skipToken, useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { validateRecord } from "@/nodes/validate/rules";
import { useTRPC, type RouterInputs, type RouterOutputs } from "@/trpc/react";
import { formatCount } from "../format";
import { buttonStyles } from "../page-header";
import { errorMessage } from "../trpc-error";

export type TQuarantineTargetInput = RouterInputs["quarantine"]["applyFix"]["target"];
type TFixInput = RouterInputs["quarantine"]["applyFix"]["fix"];
type TFixKind = TFixInput["kind"];

const inputStyles = "rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2.5 py-1.5 text-sm text-slate-900 dark:text-slate-100 shadow-sm focus-visible:outline-2 focus-visible:outline-sky-600";

function fixOf(kind: TFixKind, field: string, text: string): TFixInput | undefined {
  if (!field) return undefined;
  if (kind === "null") return { kind, field };
  if (kind === "value") return { kind, field, value: text };
  return text.trim() ? { kind, field, expression: text } : undefined;
}

/** Whether a fixed record would pass its node's rules (unique and references are for the run to check). */
function verdict(record: Record<string, string | null>, rules: RouterOutputs["quarantine"]["rules"]): string {
  if (!rules.config) return "";
  try {
    const problems = validateRecord(record, rules.config, rules.columns);
    return problems.length === 0 ? "would pass" : `still fails: ${problems.map((p) => p.message).join("; ")}`;
  } catch {
    return "cannot be checked here";
  }
}

/**
 * Bulk fix: set one field of every targeted record to a value, to empty, or to an
 * expression of the record, computed in SQL. "Preview" shows before → after for the first
 * records and how many will change; only "Apply" writes anything. Render it only while open.
 */
export function BulkFixDialog({
  onClose,
  target,
  targetLabel,
  fields,
  defaultField,
  rules,
  onApplied,
}: {
  onClose: () => void;
  target: TQuarantineTargetInput;
  /** "the 3 selected records", "the 2,532 records of this filter" */
  targetLabel: string;
  fields: string[];
  defaultField?: string;
  /** The rejecting node's rules, when every targeted record comes from one run's one node: the preview then says which records would pass. */
  rules?: RouterOutputs["quarantine"]["rules"];
  onApplied: (records: number) => void;
}) {
  const trpc = useTRPC();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const helpId = useId();
  const [field, setField] = useState(defaultField ?? fields[0] ?? "");
  const [kind, setKind] = useState<TFixKind>("value");
  const [text, setText] = useState("");
  const [previewed, setPreviewed] = useState<TFixInput | undefined>(undefined);

  // Mounted only while open, so every opening starts from a clean form.
  useEffect(() => dialogRef.current?.showModal(), []);

  const fix = fixOf(kind, field, text);
  const preview = useQuery(trpc.quarantine.previewFix.queryOptions(previewed ? { target, fix: previewed } : skipToken, { retry: false }));
  const apply = useMutation(
    trpc.quarantine.applyFix.mutationOptions({
      onSuccess: (result) => {
        onApplied(result.records);
        onClose();
      },
    }),
  );
  const stale = previewed === undefined || JSON.stringify(previewed) !== JSON.stringify(fix);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fix) setPreviewed(fix);
  }

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-full max-w-2xl rounded-xl border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <form onSubmit={submit} className="flex flex-col gap-4 p-6">
        <div>
          <h2 id={titleId} className="text-lg font-semibold">
            Bulk fix
          </h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">Changes one field of {targetLabel}. Re-ingested and discarded records are left as they are.</p>
        </div>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
          Field
          <select value={field} onChange={(event) => setField(event.target.value)} className={inputStyles}>
            {fields.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="flex flex-wrap gap-4 text-sm text-slate-700 dark:text-slate-300">
          <legend className="mb-1 font-medium">Set it to</legend>
          {(
            [
              ["value", "A value"],
              ["null", "Empty (null)"],
              ["expression", "An expression of the record"],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex items-center gap-1.5">
              <input type="radio" name="fix-kind" value={value} checked={kind === value} onChange={() => setKind(value)} />
              {label}
            </label>
          ))}
        </fieldset>
        {kind === "value" ? (
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
            New value
            <input value={text} onChange={(event) => setText(event.target.value)} className={`${inputStyles} font-mono`} />
          </label>
        ) : kind === "expression" ? (
          <div className="flex flex-col gap-1">
            <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-300">
              Expression
              <input
                value={text}
                onChange={(event) => setText(event.target.value)}
                placeholder="e.g. least(aqi, 500) or upper(trim(station))"
                aria-describedby={helpId}
                className={`${inputStyles} font-mono`}
              />
            </label>
            <span id={helpId} className="text-xs text-slate-500 dark:text-slate-400">
              The same expressions as filter and derive nodes. A field reads as the type its rule names (aqi as an integer), unless some of these records break that type; then, like fields without a rule, it reads as it arrived.
            </span>
          </div>
        ) : null}

        <div className="flex flex-wrap gap-2">
          <button type="submit" disabled={!fix} className={buttonStyles.secondary}>
            Preview
          </button>
          <button
            type="button"
            disabled={stale || !preview.data || preview.data.records === 0 || apply.isPending}
            onClick={() => previewed && apply.mutate({ target, fix: previewed })}
            className={buttonStyles.primary}
          >
            {apply.isPending ? "Applying…" : preview.data && !stale ? `Apply to ${formatCount(preview.data.records)} records` : "Apply"}
          </button>
          <button type="button" onClick={onClose} className={`${buttonStyles.secondary} ml-auto`}>
            Cancel
          </button>
        </div>

        {previewed && !stale ? (
          preview.isPending ? (
            <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
              Computing the preview…
            </p>
          ) : preview.error ? (
            <p role="alert" className="whitespace-pre-wrap rounded-md bg-rose-50 dark:bg-rose-950/50 px-3 py-2 text-sm text-rose-900 dark:text-rose-200">
              {errorMessage(preview.error)}
            </p>
          ) : preview.data ? (
            <section aria-label="Preview">
              <p role="status" className="text-sm text-slate-700 dark:text-slate-300">
                {formatCount(preview.data.records)} record{preview.data.records === 1 ? "" : "s"} will change
                {preview.data.records > preview.data.sample.length ? `; the first ${preview.data.sample.length}:` : ":"}
              </p>
              <table className="mt-2 w-full text-left text-sm">
                <thead className="text-xs uppercase text-slate-500 dark:text-slate-400">
                  <tr>
                    <th scope="col" className="py-1">
                      Record
                    </th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                    {rules?.config ? <th scope="col">Then</th> : null}
                  </tr>
                </thead>
                <tbody className="font-mono text-xs">
                  {preview.data.sample.map((row) => (
                    <tr key={row.id} className="border-t border-slate-100 dark:border-slate-800">
                      <td className="py-1">#{row.id}</td>
                      <td className="text-rose-800 dark:text-rose-200">{row.before ?? "empty"}</td>
                      <td className="text-emerald-800 dark:text-emerald-200">{row.after ?? "empty"}</td>
                      {rules?.config ? <td className="font-sans">{verdict(row.record, rules)}</td> : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null
        ) : null}
        {apply.error ? (
          <p role="alert" className="whitespace-pre-wrap text-sm text-rose-700 dark:text-rose-300">
            {errorMessage(apply.error)}
          </p>
        ) : null}
      </form>
    </dialog>
  );
}
