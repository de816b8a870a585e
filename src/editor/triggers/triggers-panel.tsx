"use client";

import { useCan } from "@/components/caller-context";
import { DependenciesSection } from "./dependencies-section";
import { ScheduleSection } from "./schedule-section";
import { WebhookSection } from "./webhook-section";

/**
 * What starts the pipeline besides someone pressing Run, in the editor's right-hand
 * panel. Triggers belong to the pipeline, not to a version: an old version open
 * read-only still shows and, for editors, changes them.
 */
export function TriggersPanel({ pipelineId, onClose }: { pipelineId: string; onClose: () => void }) {
  const canEdit = useCan("editor");
  return (
    <aside aria-label="Triggers" className="w-96 shrink-0 overflow-y-auto border-l border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 2xl:w-[28rem]">
      <header className="flex items-start gap-2 border-b border-slate-200 dark:border-slate-700 px-4 py-3">
        <div className="min-w-0 flex-1">
          <h2 className="text-base font-semibold text-slate-900 dark:text-slate-100">Triggers</h2>
          <p className="text-xs text-slate-500 dark:text-slate-400">{canEdit ? "What starts this pipeline besides Run." : "What starts this pipeline. Only editors can change it."}</p>
        </div>
        <button type="button" aria-label="Close triggers" onClick={onClose} className="rounded px-1.5 text-lg leading-none text-slate-500 dark:text-slate-400 hover:bg-slate-100 dark:hover:bg-slate-800 hover:text-slate-900 dark:hover:text-slate-100">
          ×
        </button>
      </header>
      <ScheduleSection pipelineId={pipelineId} canEdit={canEdit} />
      <WebhookSection pipelineId={pipelineId} canEdit={canEdit} />
      <DependenciesSection pipelineId={pipelineId} canEdit={canEdit} />
    </aside>
  );
}
