"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useCan } from "@/components/caller-context";
import { ConfirmDelete, smallButton } from "@/components/confirm-delete";
import { EmptyState } from "@/components/empty-state";
import { ErrorState } from "@/components/error-state";
import { buttonStyles } from "@/components/page-header";
import { TableSkeleton } from "@/components/skeleton";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { fieldStyles } from "@/components/field-styles";

type TRule = RouterOutputs["alerts"]["rules"][number];
type TKind = TRule["kind"];
type TChannel = RouterOutputs["alerts"]["channels"][number];

interface TSettingField {
  label: string;
  hint: string;
  required: boolean;
  placeholder?: string;
}

/** What each kind of rule watches, in the words the form shows, and the settings it takes. */
const KINDS: Record<TKind, { title: string; explains: string; threshold?: TSettingField; window?: TSettingField; minimum?: TSettingField }> = {
  run_failed: {
    title: "Run failed",
    explains: "Fires when a run fails after its retries. The message names the failing node, its error, and links to the run and to that node's log.",
  },
  reject_rate: {
    title: "Reject rate above a threshold",
    explains: "Fires when more than the given percent of the rows a run read were rejected by validation and sent to quarantine.",
    threshold: { label: "Reject rate above (%)", hint: "0–100, e.g. 5 fires when more than 5% of the rows are rejected", required: true, placeholder: "5" },
  },
  volume_anomaly: {
    title: "Volume anomaly",
    explains:
      "Fires when a successful run loads a number of rows outside the mean ± k standard deviations of the last N successful runs (judged once 3 exist), or fewer than a fixed minimum.",
    threshold: { label: "k (standard deviations)", hint: "Default 3: a wider band fires less often", required: false, placeholder: "3" },
    window: { label: "Runs compared (N)", hint: "3–1000, default 10", required: false, placeholder: "10" },
    minimum: { label: "Minimum rows (optional)", hint: "Fewer rows loaded than this always fires", required: false },
  },
  duration_anomaly: {
    title: "Duration anomaly",
    explains: "Fires when a successful run takes longer than k × the median duration of the last N successful runs (judged once 3 exist).",
    threshold: { label: "k (× the median)", hint: "Above 1, default 2: twice as long as usual", required: false, placeholder: "2" },
    window: { label: "Runs compared (N)", hint: "3–1000, default 10", required: false, placeholder: "10" },
  },
  freshness: {
    title: "Freshness: no successful run in time",
    explains: "Fires when the pipeline has had no successful run within the given hours (checked every 5 minutes), and clears on the next success.",
    threshold: { label: "Hours without a successful run", hint: "e.g. 25 for a daily pipeline with an hour's slack", required: true, placeholder: "25" },
  },
  schema_drift: {
    title: "Schema drift",
    explains: "Fires when a source's columns change between runs (added, removed or retyped), as reported by the connectors.",
  },
};
const KIND_ORDER = Object.keys(KINDS) as TKind[];

/** The alert rules, optionally only those watching one pipeline; editors add, change and remove them. */
export function AlertRules({ pipelineId }: { pipelineId: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.alerts.rules.queryOptions(pipelineId ? { pipelineId } : undefined));
  const channels = useQuery(trpc.alerts.channels.queryOptions());
  const canEdit = useCan("editor");
  const [adding, setAdding] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.rules.queryKey() });

  const channelList = channels.data ?? [];
  return (
    <div className="space-y-4">
      {canEdit ? (
        adding ? (
          <RuleForm
            channels={channelList}
            defaultPipelineId={pipelineId}
            onDone={(saved) => {
              setAdding(false);
              if (saved) void refresh();
            }}
          />
        ) : (
          <button type="button" onClick={() => setAdding(true)} className={buttonStyles.primary}>
            Add a rule
          </button>
        )
      ) : null}
      {rules.isPending ? (
        <TableSkeleton rows={2} label="Loading alert rules" />
      ) : rules.isError ? (
        <ErrorState title="The alert rules could not be loaded" message={errorMessage(rules.error)} onRetry={() => void rules.refetch()} />
      ) : rules.data.length === 0 ? (
        <EmptyState title={pipelineId ? "No rules watch this pipeline" : "No alert rules yet"}>
          A rule says what is worth a message: a failed run, too many rejected rows, an unusual volume or duration, a pipeline gone stale, or a changed source
          schema.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900" aria-label="Alert rules">
          {rules.data.map((rule) => (
            <RuleItem key={rule.id} rule={rule} channels={channelList} onChanged={() => void refresh()} />
          ))}
        </ul>
      )}
    </div>
  );
}

function RuleItem({ rule, channels, onChanged }: { rule: TRule; channels: TChannel[]; onChanged: () => void }) {
  const trpc = useTRPC();
  const canEdit = useCan("editor");
  const update = useMutation(trpc.alerts.updateRule.mutationOptions({ onSuccess: onChanged }));
  const remove = useMutation(trpc.alerts.removeRule.mutationOptions({ onSuccess: onChanged }));
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const names = rule.channelIds.map((id) => channels.find((c) => c.id === id)?.name ?? "a removed channel");

  if (editing) {
    return (
      <li className="p-4">
        <RuleForm
          rule={rule}
          channels={channels}
          defaultPipelineId={rule.pipelineId}
          onDone={(saved) => {
            setEditing(false);
            if (saved) onChanged();
          }}
        />
      </li>
    );
  }
  return (
    <li className={`flex flex-col gap-3 p-4 sm:flex-row sm:items-start sm:justify-between ${rule.enabled ? "" : "bg-slate-50 dark:bg-slate-950"}`}>
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900 dark:text-slate-100">
          <span className="[overflow-wrap:anywhere]">{rule.description}</span>
          {rule.enabled ? null : <span className="rounded-full bg-slate-200 dark:bg-slate-700 px-2 py-0.5 text-xs font-medium text-slate-700 dark:text-slate-300">Disabled</span>}
          {rule.openIncidents > 0 ? (
            <span className="rounded-full bg-rose-50 dark:bg-rose-950/50 px-2 py-0.5 text-xs font-medium text-rose-800 dark:text-rose-200 ring-1 ring-inset ring-rose-300 dark:ring-rose-700">
              {rule.openIncidents} open incident{rule.openIncidents === 1 ? "" : "s"}
            </span>
          ) : null}
        </p>
        <p className="mt-1 [overflow-wrap:anywhere] text-sm text-slate-600 dark:text-slate-300">
          {rule.pipelineId ? (
            <>
              Watches{" "}
              <Link href={`/pipelines/${rule.pipelineId}`} className={buttonStyles.link}>
                {rule.pipelineName}
              </Link>
            </>
          ) : (
            "Watches every pipeline"
          )}{" "}
          · sends to {names.length > 0 ? names.join(", ") : "no channel"}
        </p>
        {update.isError || remove.isError ? (
          <p role="alert" className="mt-1 text-sm text-rose-700 dark:text-rose-300">
            {errorMessage(update.error ?? remove.error)}
          </p>
        ) : null}
      </div>
      {canEdit ? (
        <div className="flex shrink-0 flex-col items-end gap-2">
          <div className="flex flex-wrap justify-end gap-2">
            <label className="inline-flex items-center gap-2 rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-1.5 text-xs font-medium text-slate-700 dark:text-slate-300">
              <input type="checkbox" checked={rule.enabled} disabled={update.isPending} onChange={(e) => update.mutate({ id: rule.id, rule: { enabled: e.target.checked } })} />
              Enabled
            </label>
            <button type="button" onClick={() => setEditing(true)} aria-label={`Edit ${rule.description}`} className={smallButton}>
              Edit
            </button>
            {confirming ? null : (
              <button type="button" onClick={() => setConfirming(true)} aria-label={`Delete ${rule.description}`} className={`${smallButton} text-rose-700 dark:text-rose-300 hover:bg-rose-50 dark:hover:bg-rose-950/50`}>
                Delete
              </button>
            )}
          </div>
          {confirming ? (
            <ConfirmDelete
              what={rule.description}
              confirmLabel="Yes, delete the rule"
              pending={remove.isPending}
              onConfirm={() => remove.mutate({ id: rule.id })}
              onCancel={() => setConfirming(false)}
            />
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

const numberOrNull = (text: string) => (text.trim() === "" ? null : Number(text));
const textOf = (value: number | null | undefined) => (value === null || value === undefined ? "" : String(value));

/** Adds a rule, or edits one (its pipeline and kind stay as made). */
function RuleForm({ rule, channels, defaultPipelineId, onDone }: { rule?: TRule; channels: TChannel[]; defaultPipelineId: string | null; onDone: (saved: boolean) => void }) {
  const trpc = useTRPC();
  const pipelines = useQuery(trpc.pipelines.list.queryOptions());
  const create = useMutation(trpc.alerts.createRule.mutationOptions());
  const update = useMutation(trpc.alerts.updateRule.mutationOptions());
  const [kind, setKind] = useState<TKind>(rule?.kind ?? "run_failed");
  const [pipelineId, setPipelineId] = useState(rule ? (rule.pipelineId ?? "") : (defaultPipelineId ?? ""));
  const [threshold, setThreshold] = useState(textOf(rule?.threshold));
  const [runsCompared, setRunsCompared] = useState(textOf(rule?.window));
  const [minimum, setMinimum] = useState(textOf(rule?.minimum));
  const [channelIds, setChannelIds] = useState<string[]>(rule?.channelIds ?? (channels.length === 1 ? [channels[0]!.id] : []));
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const spec = KINDS[kind];
  const saving = create.isPending || update.isPending;
  const failure = create.error ?? update.error;
  const formId = rule ? `rule-${rule.id}` : "new-rule";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const settings = {
      threshold: spec.threshold ? numberOrNull(threshold) : null,
      window: spec.window ? numberOrNull(runsCompared) : null,
      minimum: spec.minimum ? numberOrNull(minimum) : null,
      channelIds,
      enabled,
    };
    const saved = rule
      ? await update.mutateAsync({ id: rule.id, rule: settings }).catch(() => null)
      : await create.mutateAsync({ kind, pipelineId: pipelineId || null, ...settings }).catch(() => null);
    if (saved) onDone(true);
  }

  const setting = (key: "threshold" | "window" | "minimum", field: TSettingField | undefined, value: string, set: (v: string) => void) =>
    field ? (
      <div className="flex min-w-0 flex-col gap-1">
        <label className={fieldStyles.label}>
          {field.label}
          <input type="number" step="any" min={0} value={value} onChange={(e) => set(e.target.value)} required={field.required} placeholder={field.placeholder} aria-describedby={`${formId}-${key}-hint`} className={fieldStyles.input} />
        </label>
        <span id={`${formId}-${key}-hint`} className={fieldStyles.hint}>
          {field.hint}
        </span>
      </div>
    ) : null;

  return (
    <form onSubmit={submit} aria-label={rule ? `Edit ${rule.description}` : "Add an alert rule"} className="space-y-4 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4">
      <div className="grid gap-3 sm:grid-cols-2">
        <label className={fieldStyles.label}>
          When
          <select value={kind} onChange={(e) => setKind(e.target.value as TKind)} disabled={Boolean(rule)} className={fieldStyles.select}>
            {KIND_ORDER.map((k) => (
              <option key={k} value={k}>
                {KINDS[k].title}
              </option>
            ))}
          </select>
        </label>
        <label className={fieldStyles.label}>
          Pipeline
          <select value={pipelineId} onChange={(e) => setPipelineId(e.target.value)} disabled={Boolean(rule)} className={fieldStyles.select}>
            <option value="">Every pipeline of the workspace</option>
            {(pipelines.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
            {rule?.pipelineId && !pipelines.data?.some((p) => p.id === rule.pipelineId) ? <option value={rule.pipelineId}>{rule.pipelineName}</option> : null}
          </select>
        </label>
      </div>
      <p className="rounded-md bg-slate-50 dark:bg-slate-950 px-3 py-2 text-sm text-slate-700 dark:text-slate-300">{spec.explains}</p>
      {spec.threshold || spec.window || spec.minimum ? (
        <div className="grid gap-3 sm:grid-cols-3">
          {setting("threshold", spec.threshold, threshold, setThreshold)}
          {setting("window", spec.window, runsCompared, setRunsCompared)}
          {setting("minimum", spec.minimum, minimum, setMinimum)}
        </div>
      ) : null}
      <fieldset>
        <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">Send to</legend>
        {channels.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">No channels yet: an owner adds one under Channels above.</p>
        ) : (
          <div className="mt-2 flex flex-wrap gap-x-5 gap-y-2">
            {channels.map((channel) => (
              <label key={channel.id} className="inline-flex max-w-full items-center gap-2 text-sm text-slate-800 dark:text-slate-200">
                <input
                  type="checkbox"
                  checked={channelIds.includes(channel.id)}
                  onChange={(e) => setChannelIds((ids) => (e.target.checked ? [...ids, channel.id] : ids.filter((id) => id !== channel.id)))}
                />
                <span className="min-w-0 truncate">{channel.name}</span>
                <span className="text-xs text-slate-500 dark:text-slate-400">({channel.type})</span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <label className="inline-flex items-center gap-2 text-sm text-slate-800 dark:text-slate-200">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enabled
      </label>
      {failure ? (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {errorMessage(failure)}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" className={buttonStyles.primary} disabled={saving || channelIds.length === 0}>
          {saving ? "Saving…" : rule ? "Save rule" : "Add rule"}
        </button>
        <button type="button" onClick={() => onDone(false)} className={buttonStyles.secondary}>
          Cancel
        </button>
      </div>
    </form>
  );
}

