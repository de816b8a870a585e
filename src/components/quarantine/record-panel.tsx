"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useMemo, useState } from "react";
import { validateRecord, type Violation } from "@/nodes/validate/rules";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { ErrorState } from "../error-state";
import { formatDateTime } from "../format";
import { CloseIcon } from "../icons";
import { useCan } from "../caller-context";
import { buttonStyles } from "../page-header";
import { Skeleton } from "../skeleton";
import { errorMessage } from "../trpc-error";
import { QuarantineStatusBadge } from "./record-table";

type TDetail = RouterOutputs["quarantine"]["get"];
type TRules = RouterOutputs["quarantine"]["rules"];

/**
 * One quarantined record: every field editable, re-validated in the browser on each
 * keystroke against the rules of the node that rejected it (from the run's pinned
 * version), so a person sees whether the record would now pass before saving.
 */
export function RecordPanel({
  id,
  onClose,
  onChanged,
  refetchInterval,
}: {
  id: string;
  onClose: () => void;
  onChanged: () => void;
  /** While a re-ingest settles, the record's status and history change on the server. */
  refetchInterval: number | false;
}) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.quarantine.get.queryOptions({ id }, { refetchInterval }));
  const rules = useQuery(
    trpc.quarantine.rules.queryOptions(
      { runId: detail.data?.runId ?? "", nodeId: detail.data?.nodeId ?? "" },
      { enabled: detail.data !== undefined, staleTime: Infinity },
    ),
  );
  const titleId = useId();

  return (
    <aside aria-labelledby={titleId} className="flex max-h-[80vh] flex-col overflow-hidden rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 shadow-sm">
      <header className="flex items-center justify-between gap-2 border-b border-slate-200 dark:border-slate-700 px-4 py-3">
        <h2 id={titleId} className="text-base font-semibold text-slate-900 dark:text-slate-100">
          Record #{id}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close record" className="rounded p-1 text-slate-500 dark:text-slate-400 hover:bg-slate-100 dark:hover:bg-slate-800 hover:text-slate-800 dark:hover:text-slate-200">
          <CloseIcon className="size-4" />
        </button>
      </header>
      <div className="overflow-y-auto px-4 py-3">
        {detail.isPending ? (
          <div role="status" aria-label="Loading the record" className="space-y-3">
            <Skeleton className="h-4 w-1/2" />
            <Skeleton className="h-9 w-full" />
            <Skeleton className="h-9 w-full" />
          </div>
        ) : !detail.data ? (
          <ErrorState title="The record could not be loaded" message={errorMessage(detail.error)} onRetry={() => void detail.refetch()} />
        ) : (
          <RecordEditor key={`${detail.data.id}:${detail.data.updatedAt.getTime()}`} detail={detail.data} rules={rules.data} rulesError={rules.error} onChanged={onChanged} />
        )}
      </div>
    </aside>
  );
}

function RecordEditor({ detail, rules, rulesError, onChanged }: { detail: TDetail; rules: TRules | undefined; rulesError: unknown; onChanged: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Record<string, string | null>>(detail.record);
  const [showRaw, setShowRaw] = useState(false);
  const canFix = useCan("editor");
  const editable = canFix && (detail.status === "open" || detail.status === "fixed");
  const changed = JSON.stringify(draft) !== JSON.stringify(detail.record);

  const violations: Violation[] | undefined = useMemo(() => {
    if (!rules?.config) return undefined;
    try {
      return validateRecord(draft, rules.config, rules.columns);
    } catch {
      // A pinned config the current rules code cannot compile: fall back to the stored errors.
      return undefined;
    }
  }, [draft, rules]);
  const shownErrors = violations ?? (changed ? [] : detail.errors);
  // unique and references need the other records and the database: only the run can check them again.
  const setRuleErrors = detail.errors.filter((e) => e.rule === "unique" || e.rule === "references");
  const byField = new Map<string, string[]>();
  for (const error of [...shownErrors, ...setRuleErrors]) byField.set(error.field, [...(byField.get(error.field) ?? []), error.message]);

  const save = useMutation(
    trpc.quarantine.edit.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.quarantine.get.queryKey({ id: detail.id }) });
        onChanged();
      },
    }),
  );

  // The node's input columns give the file's order; stored records come back in jsonb's.
  const known = rules?.columns.map((c) => c.name).filter((name) => name in detail.record) ?? [];
  const fields = [...known, ...Object.keys(detail.record).filter((name) => !known.includes(name))];
  const passes = violations !== undefined && violations.length === 0 && setRuleErrors.length === 0;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
        <QuarantineStatusBadge status={detail.status} />
        <span>
          node <span className="font-mono">{detail.nodeId}</span>
        </span>
        <Link href={`/runs/${detail.runId}`} className={buttonStyles.link}>
          run
        </Link>
        <Link href={`/lineage/${encodeURIComponent(detail.lineageId)}`} className={buttonStyles.link}>
          Lineage and raw source line
        </Link>
      </div>

      <form
        aria-label="Edit record"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate({ id: detail.id, record: draft });
        }}
        className="flex flex-col gap-3"
      >
        {fields.map((field) => {
          const messages = byField.get(field);
          const messageId = `field-${detail.id}-${field}-errors`;
          return (
            <label key={field} className="flex flex-col gap-1 text-sm">
              <span className="font-medium text-slate-700 dark:text-slate-300">{field}</span>
              <input
                value={draft[field] ?? ""}
                disabled={!editable}
                placeholder="empty"
                aria-invalid={messages ? true : undefined}
                aria-describedby={messages ? messageId : undefined}
                onChange={(event) => setDraft({ ...draft, [field]: event.target.value === "" ? null : event.target.value })}
                className={`rounded-md border px-2.5 py-1.5 font-mono text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-sky-600 ${
                  messages ? "border-rose-400 bg-rose-50 dark:bg-rose-950/50 text-rose-900 dark:text-rose-200" : "border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 text-slate-900 dark:text-slate-100"
                }`}
              />
              {messages ? (
                <span id={messageId} className="text-xs text-rose-700 dark:text-rose-300">
                  {messages.join(" · ")}
                </span>
              ) : null}
            </label>
          );
        })}
        <p role="status" aria-live="polite" className={`rounded-md px-3 py-2 text-sm ${passes ? "bg-emerald-50 dark:bg-emerald-950/50 text-emerald-900 dark:text-emerald-200" : "bg-amber-50 dark:bg-amber-950/50 text-amber-900 dark:text-amber-200"}`}>
          {rules === undefined && rulesError === null
            ? "Loading the rules…"
            : violations === undefined
              ? "The rules of this node cannot be checked here; the stored errors are shown."
              : passes
                ? "This record would now pass validation."
                : `This record would still fail: ${shownErrors.length + setRuleErrors.length} problem${shownErrors.length + setRuleErrors.length === 1 ? "" : "s"}.`}
        </p>
        {save.error ? (
          <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
            {errorMessage(save.error)}
          </p>
        ) : null}
        {editable ? (
          <div className="flex gap-2">
            <button type="submit" disabled={!changed || save.isPending} className={buttonStyles.primary}>
              {save.isPending ? "Saving…" : "Save fix"}
            </button>
            <button type="button" disabled={!changed} onClick={() => setDraft(detail.record)} className={buttonStyles.secondary}>
              Undo changes
            </button>
          </div>
        ) : (
          <p className="text-sm text-slate-600 dark:text-slate-300">This record is {detail.status} and can no longer be edited.</p>
        )}
      </form>

      <div>
        <button type="button" aria-expanded={showRaw} onClick={() => setShowRaw(!showRaw)} className={buttonStyles.secondary}>
          {showRaw ? "Hide raw record" : "Show raw record"}
        </button>
        {showRaw ? (
          // As the validate node received it, before any fix; the lineage page shows the source line itself.
          <pre aria-label="Raw record" className="mt-2 max-h-64 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100 dark:bg-slate-950 dark:ring-1 dark:ring-slate-700">
            {JSON.stringify(detail.history.find((entry) => entry.action === "edit")?.before ?? detail.record, null, 2)}
          </pre>
        ) : null}
      </div>

      <section aria-label="History">
        <h3 className="text-sm font-semibold text-slate-900 dark:text-slate-100">History</h3>
        {detail.history.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">Quarantined {formatDateTime(detail.createdAt)}; not changed since.</p>
        ) : (
          <ol className="mt-2 space-y-2">
            {detail.history.map((entry, index) => (
              <li key={index} className="rounded-md border border-slate-200 dark:border-slate-700 px-3 py-2 text-xs text-slate-700 dark:text-slate-300">
                <p>
                  <span className="font-semibold">{entry.action}</span> by {entry.by} · {formatDateTime(new Date(entry.at))}
                </p>
                {entry.fix ? <p className="font-mono">{entry.fix}</p> : null}
                {entry.reason ? <p>Reason: {entry.reason}</p> : null}
                {entry.action === "edit" ? <ChangedFields before={entry.before} after={entry.after} /> : null}
                {entry.action === "reingest" && entry.runId ? (
                  <p>
                    <Link href={`/runs/${entry.runId}`} className={buttonStyles.link}>
                      Re-ingest run
                    </Link>
                    : {REINGEST_OUTCOMES[entry.outcome ?? "passed"]}
                  </p>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

const REINGEST_OUTCOMES = {
  passed: "passed and was loaded",
  failed: "failed its checks again (see the errors above)",
  runFailed: "the run failed after the record passed its checks, so it was not loaded; the record stays as it was",
  runCanceled: "the run was canceled after the record passed its checks, so it was not loaded; the record stays as it was",
} as const;

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

/** before → after of the fields an edit changed. */
function ChangedFields({ before, after }: { before: unknown; after: unknown }) {
  const a = asRecord(before);
  const b = asRecord(after);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
  if (keys.length === 0) return <p>No field changed.</p>;
  return (
    <ul>
      {keys.map((key) => (
        <li key={key} className="font-mono">
          {key}: {JSON.stringify(a[key] ?? null)} → {JSON.stringify(b[key] ?? null)}
        </li>
      ))}
    </ul>
  );
}
