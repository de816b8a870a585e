"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { RelativeTime } from "@/components/relative-time";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { formatFireTime, matchPreset, PRESETS, presetCron, type TPresetId } from "./presets";
import { confirmDangerClass, dangerButtonClass, errorClass, headingClass, inputClass, labelClass, primaryButtonClass, secondaryButtonClass, sectionClass } from "./ui";

type TSavedSchedule = NonNullable<RouterOutputs["triggers"]["schedule"]>;
type TOverlap = TSavedSchedule["overlap"];
type TCatchUp = TSavedSchedule["catchUp"];

const OVERLAP: { value: TOverlap; label: string; help: string }[] = [
  { value: "skip", label: "Skip", help: "While the previous run is still going, this fire time does not run." },
  { value: "queue", label: "Queue", help: "The new run waits and starts when the previous one ends." },
  { value: "cancel-previous", label: "Cancel previous", help: "The previous run is canceled and the new one starts." },
];

const CATCH_UP: { value: TCatchUp; label: string; help: string }[] = [
  { value: "none", label: "None", help: "Fire times missed while Sluice was down are dropped." },
  { value: "latest", label: "Latest", help: "Only the most recent missed fire time runs." },
  { value: "all", label: "All", help: "Every missed fire time runs, oldest first (at most 24)." },
];

const PREVIEW_DELAY_MS = 250;

/** `value`, once it has stopped changing for `ms`: the preview asks the server when typing pauses, not at every key. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function browserTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

interface TDraft {
  cron: string;
  timezone: string;
  enabled: boolean;
  overlap: TOverlap;
  catchUp: TCatchUp;
}

function sameDraft(a: TDraft, b: TDraft): boolean {
  return a.cron.trim() === b.cron.trim() && a.timezone === b.timezone && a.enabled === b.enabled && a.overlap === b.overlap && a.catchUp === b.catchUp;
}

function RadioGroup<T extends string>({ legend, name, value, options, onChange }: {
  legend: string;
  name: string;
  value: T;
  options: { value: T; label: string; help: string }[];
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="space-y-1.5">
      <legend className={labelClass}>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="flex cursor-pointer items-start gap-2 rounded-md px-1 py-0.5 text-sm hover:bg-slate-50 dark:hover:bg-slate-800">
          <input type="radio" name={name} value={option.value} checked={value === option.value} onChange={() => onChange(option.value)} className="mt-1 accent-sky-700" />
          <span>
            <span className="font-medium text-slate-800 dark:text-slate-200">{option.label}</span>
            <span className="block text-xs text-slate-500 dark:text-slate-400">{option.help}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

function Preview({ cron, timezone }: { cron: string; timezone: string }) {
  const trpc = useTRPC();
  const settled = useDebounced({ cron, timezone }, PREVIEW_DELAY_MS);
  const preview = useQuery(
    trpc.triggers.previewSchedule.queryOptions(settled, { enabled: settled.cron.trim() !== "" && settled.timezone !== "", placeholderData: keepPreviousData }),
  );
  const typing = settled.cron !== cron || settled.timezone !== timezone || preview.isPlaceholderData;
  if (cron.trim() === "") return <p className="text-sm text-slate-500 dark:text-slate-400">Type a cron expression or pick a preset to see when it runs.</p>;
  if (preview.isError) return <p role="alert" className={errorClass}>The preview failed: {errorMessage(preview.error)}</p>;
  if (!preview.data) return <p className="text-sm text-slate-500 dark:text-slate-400">Working out the next run times…</p>;
  const result = preview.data;
  return (
    <div aria-label="Schedule preview" role="region" aria-busy={typing} className={`space-y-2 transition-opacity ${typing ? "opacity-60" : ""}`}>
      {result.ok ? (
        <>
          <p className="rounded-md bg-sky-50 dark:bg-sky-950/50 px-3 py-2 text-sm font-medium text-sky-950 dark:text-sky-100" data-testid="schedule-words">
            {result.description}
          </p>
          <div>
            <h4 className="text-xs font-semibold tracking-wide text-slate-500 dark:text-slate-400 uppercase">Next {result.next.length} runs</h4>
            <ol aria-label="Next run times" className="mt-1 space-y-0.5 font-mono text-xs text-slate-700 dark:text-slate-300 tabular-nums">
              {result.next.map((at) => (
                <li key={at.toISOString()}>
                  <time dateTime={at.toISOString()}>{formatFireTime(at, result.timezone)}</time>
                </li>
              ))}
            </ol>
          </div>
        </>
      ) : (
        <p role="alert" className={errorClass}>
          {result.error}
        </p>
      )}
    </div>
  );
}

function ScheduleForm({ pipelineId, saved, timezones, canEdit }: { pipelineId: string; saved: TSavedSchedule | null; timezones: string[]; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const initial: TDraft = saved
    ? { cron: saved.cron, timezone: saved.timezone, enabled: saved.enabled, overlap: saved.overlap, catchUp: saved.catchUp }
    : { cron: "0 * * * *", timezone: timezones.includes(browserTimezone()) ? browserTimezone() : "UTC", enabled: true, overlap: "skip", catchUp: "latest" };
  const [draft, setDraft] = useState<TDraft>(initial);
  const [time, setTime] = useState(() => matchPreset(initial.cron)?.time ?? "06:00");
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const ids = useId();
  const save = useMutation(trpc.triggers.setSchedule.mutationOptions());
  const remove = useMutation(trpc.triggers.removeSchedule.mutationOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.triggers.schedule.queryKey({ pipelineId }) });
  const dirty = saved === null || !sameDraft(draft, initial);
  const preset = matchPreset(draft.cron)?.id ?? null;
  const update = (patch: Partial<TDraft>) => {
    save.reset();
    setDraft((d) => ({ ...d, ...patch }));
  };
  const choosePreset = (id: TPresetId, at = time) => update({ cron: presetCron(id, at) });

  return (
    <form
      aria-label="Schedule"
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        void save.mutateAsync({ pipelineId, schedule: { ...draft, cron: draft.cron.trim() } }).then(refresh, () => undefined);
      }}
    >
      {/* Viewers read the schedule: every control shows its value and changes nothing. */}
      <fieldset disabled={!canEdit} className="min-w-0 space-y-4">
        <div className="flex items-center justify-between gap-3">
          <span id={`${ids}-enabled`} className="text-sm text-slate-700 dark:text-slate-300">
            {draft.enabled ? "Runs on this schedule" : "Paused: it does not run"}
          </span>
          <button
            type="button"
            role="switch"
            aria-checked={draft.enabled}
            aria-label="Enabled"
            aria-describedby={`${ids}-enabled`}
            onClick={() => update({ enabled: !draft.enabled })}
            className={`relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors disabled:opacity-60 ${draft.enabled ? "bg-sky-700" : "bg-slate-300 dark:bg-slate-600"}`}
          >
            <span aria-hidden className={`inline-block size-4 rounded-full bg-white dark:bg-slate-900 shadow transition-transform ${draft.enabled ? "translate-x-4.5" : "translate-x-0.5"}`} />
          </button>
        </div>

        <div className="space-y-1.5">
          <span className={labelClass}>Presets</span>
          <div role="group" aria-label="Presets" className="flex flex-wrap items-center gap-1.5">
            {PRESETS.map((p) => (
              <button
                key={p.id}
                type="button"
                aria-pressed={preset === p.id}
                onClick={() => choosePreset(p.id)}
                className={`rounded-full border px-2.5 py-0.5 text-xs font-medium ${
                  preset === p.id ? "border-sky-600 bg-sky-50 dark:bg-sky-950/50 text-sky-900 dark:text-sky-200" : "border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800"
                }`}
              >
                {p.label}
                {p.timed ? ` ${time}` : ""}
              </button>
            ))}
          </div>
          <label className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
            Time of day for the presets
            <input
              type="time"
              value={time}
              onChange={(e) => {
                setTime(e.target.value);
                const current = PRESETS.find((p) => p.id === preset);
                if (current?.timed && e.target.value) choosePreset(current.id, e.target.value);
              }}
              className="rounded-md border border-slate-300 dark:border-slate-600 px-1.5 py-0.5 text-xs"
            />
          </label>
        </div>

        <div className="space-y-1">
          <label htmlFor={`${ids}-cron`} className={labelClass}>
            Cron expression
          </label>
          <input
            id={`${ids}-cron`}
            value={draft.cron}
            onChange={(e) => update({ cron: e.target.value })}
            spellCheck={false}
            maxLength={200}
            placeholder="5 * * * *"
            aria-describedby={`${ids}-cron-help`}
            className={`${inputClass} font-mono`}
          />
          <p id={`${ids}-cron-help`} className="text-xs text-slate-500 dark:text-slate-400">
            Minute, hour, day of month, month, day of week, e.g. <code className="font-mono">30 6 * * 1-5</code> for weekdays at 06:30.
          </p>
        </div>

        <div className="space-y-1">
          <label htmlFor={`${ids}-tz`} className={labelClass}>
            Timezone
          </label>
          <select id={`${ids}-tz`} value={draft.timezone} onChange={(e) => update({ timezone: e.target.value })} className={inputClass}>
            {(timezones.includes(draft.timezone) ? timezones : [draft.timezone, ...timezones]).map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </div>

        <Preview cron={draft.cron} timezone={draft.timezone} />

        <RadioGroup legend="If the previous run is still going" name={`${ids}-overlap`} value={draft.overlap} options={OVERLAP} onChange={(overlap) => update({ overlap })} />
        <RadioGroup legend="After downtime, missed runs" name={`${ids}-catchup`} value={draft.catchUp} options={CATCH_UP} onChange={(catchUp) => update({ catchUp })} />
      </fieldset>

      {save.isError ? (
        <p role="alert" className={errorClass}>
          Not saved: {errorMessage(save.error)}
        </p>
      ) : null}
      {remove.isError ? (
        <p role="alert" className={errorClass}>
          Not removed: {errorMessage(remove.error)}
        </p>
      ) : null}

      {canEdit ? (
        confirmingRemove ? (
          <div role="group" aria-label="Confirm removing the schedule" className="space-y-2 rounded-md border border-red-200 dark:border-red-800 bg-red-50 dark:bg-red-950/50 p-3">
            <p className="text-sm text-red-900 dark:text-red-200">Remove the schedule? The pipeline stops running on its own; runs already started go on.</p>
            <div className="flex gap-2">
              <button
                type="button"
                disabled={remove.isPending}
                onClick={() => void remove.mutateAsync({ pipelineId }).then(() => { setConfirmingRemove(false); return refresh(); }, () => undefined)}
                className={confirmDangerClass}
              >
                {remove.isPending ? "Removing…" : "Yes, remove the schedule"}
              </button>
              <button type="button" onClick={() => setConfirmingRemove(false)} className={secondaryButtonClass}>
                Keep it
              </button>
            </div>
          </div>
        ) : (
          <div className="flex items-center gap-2">
            <button type="submit" disabled={save.isPending || !dirty} className={primaryButtonClass}>
              {save.isPending ? "Saving…" : "Save schedule"}
            </button>
            {saved ? (
              <button type="button" onClick={() => setConfirmingRemove(true)} className={dangerButtonClass}>
                Remove
              </button>
            ) : null}
            <span role="status" className="ml-auto text-xs text-slate-500 dark:text-slate-400">
              {saved === null ? "Not saved yet" : dirty ? "Unsaved changes" : "Saved"}
            </span>
          </div>
        )
      ) : null}
    </form>
  );
}

function SavedState({ saved }: { saved: TSavedSchedule }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 rounded-md bg-slate-50 dark:bg-slate-950 px-3 py-2 text-xs text-slate-600 dark:text-slate-300">
      <dt className="font-medium text-slate-700 dark:text-slate-300">Next run</dt>
      <dd>{saved.enabled && saved.nextFireAt ? formatFireTime(saved.nextFireAt, saved.timezone) : "none: paused"}</dd>
      <dt className="font-medium text-slate-700 dark:text-slate-300">Last fired</dt>
      <dd>
        {saved.lastFireAt ? <RelativeTime date={saved.lastFireAt} /> : "never"}
        {saved.lastOutcome ? <span className="block text-slate-500 dark:text-slate-400">{saved.lastOutcome}</span> : null}
      </dd>
    </dl>
  );
}

/** The pipeline's schedule: a cron expression in a timezone, checked and shown in words with its next runs as it is typed. */
export function ScheduleSection({ pipelineId, canEdit }: { pipelineId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const schedule = useQuery(trpc.triggers.schedule.queryOptions({ pipelineId }));
  const timezones = useQuery(trpc.triggers.timezones.queryOptions(undefined, { staleTime: Infinity }));
  return (
    <section aria-labelledby="triggers-schedule" className={sectionClass}>
      <div className="flex items-baseline justify-between gap-2">
        <h3 id="triggers-schedule" className={headingClass}>
          Schedule
        </h3>
        {schedule.data ? (
          <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${schedule.data.enabled ? "bg-emerald-50 dark:bg-emerald-950/50 text-emerald-800 dark:text-emerald-200" : "bg-slate-100 dark:bg-slate-800 text-slate-600 dark:text-slate-300"}`}>
            {schedule.data.enabled ? "Active" : "Paused"}
          </span>
        ) : null}
      </div>
      {schedule.isPending || timezones.isPending ? (
        <div className="h-40 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" aria-label="Loading the schedule" />
      ) : schedule.isError || timezones.isError ? (
        <p role="alert" className={errorClass}>
          The schedule could not be loaded: {errorMessage(schedule.error ?? timezones.error)}
        </p>
      ) : (
        <>
          {schedule.data ? <SavedState saved={schedule.data} /> : <p className="text-sm text-slate-600 dark:text-slate-300">{canEdit ? "Run this pipeline on a timetable." : "This pipeline has no schedule."}</p>}
          {schedule.data || canEdit ? (
            // A new form after each save or removal: it starts from what the server stored.
            <ScheduleForm key={schedule.data?.updatedAt.toISOString() ?? "new"} pipelineId={pipelineId} saved={schedule.data} timezones={timezones.data} canEdit={canEdit} />
          ) : null}
        </>
      )}
    </section>
  );
}
