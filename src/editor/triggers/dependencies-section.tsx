"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { errorMessage } from "@/components/trpc-error";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { errorClass, headingClass, labelClass, primaryButtonClass, sectionClass } from "./ui";

type TDependencies = RouterOutputs["triggers"]["dependencies"];
type TMode = TDependencies["mode"];

const MODES: { value: TMode; label: string; help: string }[] = [
  { value: "any", label: "Any of them succeeds", help: "Each successful run of any of them starts this pipeline." },
  { value: "all", label: "All of them have succeeded", help: "Starts once every one has succeeded since this pipeline last ran." },
];

function DependenciesForm({ pipelineId, saved, pipelines, canEdit }: {
  pipelineId: string;
  saved: TDependencies;
  pipelines: { id: string; name: string }[];
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = useId();
  const savedIds = saved.upstreams.map((u) => u.id);
  const [chosen, setChosen] = useState<string[]>(savedIds);
  const [mode, setMode] = useState<TMode>(saved.mode);
  const save = useMutation(trpc.triggers.setDependencies.mutationOptions());
  const others = pipelines.filter((p) => p.id !== pipelineId);
  const dirty = mode !== saved.mode || chosen.length !== savedIds.length || chosen.some((id) => !savedIds.includes(id));
  const toggle = (id: string, on: boolean) => {
    save.reset();
    setChosen((current) => (on ? [...current, id] : current.filter((c) => c !== id)));
  };

  return (
    <form
      aria-label="Dependencies"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        void save.mutateAsync({ pipelineId, dependencies: { upstreamIds: chosen, mode } }).then(
          () => queryClient.invalidateQueries({ queryKey: trpc.triggers.dependencies.queryKey({ pipelineId }) }),
          () => undefined,
        );
      }}
    >
      <fieldset disabled={!canEdit} className="min-w-0 space-y-3">
        <fieldset>
          <legend className={labelClass}>Run this pipeline when these succeed</legend>
          {others.length === 0 ? (
            <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">There are no other pipelines in this workspace yet.</p>
          ) : (
            <ul className="mt-1 max-h-48 space-y-0.5 overflow-y-auto rounded-md border border-slate-200 dark:border-slate-700 p-1.5">
              {others.map((p) => (
                <li key={p.id}>
                  <label className="flex cursor-pointer items-center gap-2 rounded px-1 py-0.5 text-sm text-slate-800 dark:text-slate-200 hover:bg-slate-50 dark:hover:bg-slate-800">
                    <input type="checkbox" checked={chosen.includes(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} className="accent-sky-700" />
                    <span className="truncate">{p.name}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        {chosen.length > 1 || mode === "all" ? (
          <fieldset className="space-y-1.5">
            <legend className={labelClass}>With several</legend>
            {MODES.map((option) => (
              <label key={option.value} className="flex cursor-pointer items-start gap-2 rounded-md px-1 py-0.5 text-sm hover:bg-slate-50 dark:hover:bg-slate-800">
                <input type="radio" name={`${ids}-mode`} checked={mode === option.value} onChange={() => setMode(option.value)} className="mt-1 accent-sky-700" />
                <span>
                  <span className="font-medium text-slate-800 dark:text-slate-200">{option.label}</span>
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{option.help}</span>
                </span>
              </label>
            ))}
          </fieldset>
        ) : null}
      </fieldset>
      {save.isError ? (
        <p role="alert" className={errorClass}>
          Not saved: {errorMessage(save.error)}
        </p>
      ) : null}
      {canEdit ? (
        <div className="flex items-center gap-2">
          <button type="submit" disabled={!dirty || save.isPending} className={primaryButtonClass}>
            {save.isPending ? "Saving…" : "Save dependencies"}
          </button>
          <span role="status" className="ml-auto text-xs text-slate-500 dark:text-slate-400">
            {dirty ? "Unsaved changes" : save.isSuccess ? "Saved" : ""}
          </span>
        </div>
      ) : null}
      {saved.downstreams.length > 0 ? (
        <p className="text-xs text-slate-600 dark:text-slate-300">
          Runs after this one:{" "}
          {saved.downstreams.map((d, i) => (
            <span key={d.id}>
              {i > 0 ? ", " : ""}
              <Link href={`/pipelines/${d.id}`} className="font-medium text-sky-700 dark:text-sky-300 hover:underline">
                {d.name}
              </Link>
            </span>
          ))}
          .
        </p>
      ) : null}
    </form>
  );
}

/** The pipelines whose success starts this one ("run B when A succeeds"); a loop is refused by the server with the pipelines around it. */
export function DependenciesSection({ pipelineId, canEdit }: { pipelineId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const dependencies = useQuery(trpc.triggers.dependencies.queryOptions({ pipelineId }));
  const pipelines = useQuery(trpc.pipelines.list.queryOptions());
  return (
    <section aria-labelledby="triggers-dependencies" className={sectionClass}>
      <h3 id="triggers-dependencies" className={headingClass}>
        After other pipelines
      </h3>
      {dependencies.isPending || pipelines.isPending ? (
        <div className="h-16 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" aria-label="Loading the dependencies" />
      ) : dependencies.isError || pipelines.isError ? (
        <p role="alert" className={errorClass}>
          The dependencies could not be loaded: {errorMessage(dependencies.error ?? pipelines.error)}
        </p>
      ) : (
        <DependenciesForm
          // Starts again from what the server stored after each save.
          key={`${dependencies.data.mode}:${dependencies.data.upstreams.map((u) => u.id).join(",")}`}
          pipelineId={pipelineId}
          saved={dependencies.data}
          pipelines={pipelines.data}
          canEdit={canEdit}
        />
      )}
    </section>
  );
}
