"use client";

import { useQuery } from "@tanstack/react-query";
import { useReactFlow } from "@xyflow/react";
import Link from "next/link";
import { useId, useRef, useState, type ReactNode } from "react";
import { registry } from "@/nodes/registry";
import { useTRPC } from "@/trpc/react";
import { fromPipelineGraph, toPipelineGraph } from "./graph";
import { ShortcutList } from "./help-popover";
import { downloadPipeline, parseImportedPipeline } from "./import-export";
import { Popover } from "./popover";
import { useEditor, useEditorStore } from "./store-context";
import { VersionHistory } from "./version-history";

function ToolButton({ label, shortcut, onClick, disabled, children, popoverTarget }: {
  label: string;
  shortcut?: string;
  onClick?: () => void;
  disabled?: boolean;
  children: ReactNode;
  popoverTarget?: string;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      title={shortcut ? `${label} (${shortcut})` : label}
      onClick={onClick}
      disabled={disabled}
      popoverTarget={popoverTarget}
      className="flex h-8 min-w-8 items-center justify-center rounded-md px-2 text-sm text-slate-600 dark:text-slate-300 hover:bg-slate-100 dark:hover:bg-slate-800 hover:text-slate-900 dark:hover:text-slate-100 disabled:opacity-35 disabled:hover:bg-transparent"
    >
      {children}
    </button>
  );
}

function Divider() {
  return <span aria-hidden className="mx-1 h-5 w-px bg-slate-200 dark:bg-slate-700" />;
}

function ImportErrors({ errors, onClose }: { errors: string[]; onClose: () => void }) {
  return (
    <div role="alertdialog" aria-labelledby="import-errors-title" className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/30 p-4 dark:bg-black/50">
      <div className="w-full max-w-lg rounded-lg bg-white dark:bg-slate-900 shadow-xl">
        <h2 id="import-errors-title" className="border-b border-slate-200 dark:border-slate-700 px-4 py-3 text-base font-semibold text-red-800 dark:text-red-200">
          This file cannot be imported
        </h2>
        <ul className="max-h-80 list-disc space-y-1 overflow-y-auto py-3 pr-4 pl-8 text-sm text-slate-800 dark:text-slate-200">
          {errors.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
        <p className="px-4 text-xs text-slate-500 dark:text-slate-400">Fix the file and import it again. Nothing on the canvas was changed.</p>
        <div className="flex justify-end p-3">
          <button type="button" autoFocus onClick={onClose} className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-slate-300">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

/**
 * The pipeline's name, renamed in place: Enter or leaving the field saves it at once (no new
 * version), Escape puts the saved name back. A name the server refuses (empty, taken) is
 * reverted with the reason.
 */
function NameField({ onRename }: { onRename: (name: string) => Promise<void> }) {
  const store = useEditorStore();
  const name = useEditor((s) => s.name);
  const readOnly = useEditor((s) => s.readOnly);
  // What is being typed; null while not editing, so the field shows the saved name.
  const [draft, setDraft] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const nameId = useId();
  const cancelled = useRef(false);

  const commit = async () => {
    if (cancelled.current) {
      cancelled.current = false;
      setDraft(null);
      return;
    }
    const trimmed = (draft ?? name).trim();
    if (!trimmed) store.getState().notify("A pipeline needs a name: the old one is kept.");
    if (trimmed && trimmed !== name) {
      setPending(true);
      // A refusal is told by onRename; the saved name comes back either way.
      await onRename(trimmed).catch(() => undefined);
      setPending(false);
    }
    setDraft(null);
  };

  return (
    <>
      <label htmlFor={nameId} className="sr-only">
        Pipeline name
      </label>
      <input
        id={nameId}
        value={draft ?? name}
        readOnly={readOnly || pending}
        maxLength={200}
        title={name}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => void commit()}
        onKeyDown={(e) => {
          if (e.key === "Enter") e.currentTarget.blur();
          if (e.key === "Escape") {
            cancelled.current = true;
            e.currentTarget.blur();
          }
        }}
        className="w-56 min-w-0 truncate rounded-md border border-transparent px-2 py-1 text-base font-semibold text-slate-900 dark:text-slate-100 hover:border-slate-200 dark:hover:border-slate-700 focus:border-sky-500 focus:outline-none"
      />
    </>
  );
}

export function Toolbar({ onSave, onRename, saving, checking, helpRef, runControl, triggersOpen, onToggleTriggers }: {
  onSave: () => void;
  onRename: (name: string) => Promise<void>;
  saving: boolean;
  checking: boolean;
  helpRef: React.RefObject<HTMLDivElement | null>;
  runControl: ReactNode;
  triggersOpen: boolean;
  onToggleTriggers: () => void;
}) {
  const store = useEditorStore();
  const { fitView } = useReactFlow();
  const dirty = useEditor((s) => s.dirty);
  const baseVersion = useEditor((s) => s.baseVersion);
  const readOnly = useEditor((s) => s.readOnly);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const problemCount = useEditor((s) => s.problems.all.length);
  const fileInput = useRef<HTMLInputElement>(null);
  const historyRef = useRef<HTMLDivElement>(null);
  const [importErrors, setImportErrors] = useState<string[] | null>(null);
  const ids = useId();
  const historyId = `${ids}-history`;
  const helpId = `${ids}-help`;

  const fit = () => void fitView({ padding: 0.2, duration: 300 });

  const importFile = async (file: File) => {
    const result = parseImportedPipeline(await file.text(), registry);
    if (!result.ok) {
      setImportErrors(result.errors);
      return;
    }
    store.getState().load(fromPipelineGraph(result.graph), { dirty: true, keepHistory: true });
    store.getState().notify(`Imported “${result.graph.name}” (${result.graph.nodes.length} nodes) as unsaved changes.`, "info");
    requestAnimationFrame(fit);
  };

  return (
    <header className="flex h-14 shrink-0 items-center gap-2 border-b border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 px-3">
      <Link href="/pipelines" aria-label="Back to pipelines" className="rounded-md px-1.5 py-1 text-slate-500 dark:text-slate-400 hover:bg-slate-100 dark:hover:bg-slate-800 hover:text-slate-900 dark:hover:text-slate-100">
        ←
      </Link>
      <NameField onRename={onRename} />
      <span className="flex items-center gap-1.5 text-xs whitespace-nowrap text-slate-500 dark:text-slate-400" role="status">
        {readOnly ? (
          <>Version {baseVersion} · read-only</>
        ) : dirty ? (
          <>
            <span aria-hidden className="h-2 w-2 rounded-full bg-amber-500" />
            Unsaved changes
          </>
        ) : (
          <>Saved · v{baseVersion}</>
        )}
        {checking ? <span className="text-slate-400">· checking…</span> : problemCount > 0 ? <span className="text-red-700 dark:text-red-300">· {problemCount} problem{problemCount > 1 ? "s" : ""}</span> : null}
      </span>
      <div className="ml-auto flex items-center">
        {readOnly ? null : (
          <>
            <ToolButton label="Undo" shortcut="Ctrl+Z" onClick={() => store.getState().undo()} disabled={!canUndo}>
              ↶
            </ToolButton>
            <ToolButton label="Redo" shortcut="Ctrl+Shift+Z" onClick={() => store.getState().redo()} disabled={!canRedo}>
              ↷
            </ToolButton>
            <Divider />
            <ToolButton
              label="Auto-layout"
              shortcut="L"
              onClick={() => {
                store.getState().autoLayout();
                requestAnimationFrame(fit);
              }}
            >
              ⇶
            </ToolButton>
          </>
        )}
        <ToolButton label="Fit view" shortcut="F" onClick={fit}>
          ⤢
        </ToolButton>
        <Divider />
        {readOnly ? null : (
          <>
            <ToolButton label="Version history" popoverTarget={historyId}>
              {/* SVG: the clock emoji is missing from many system fonts. */}
              <svg aria-hidden viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" className="size-4">
                <circle cx="12" cy="12" r="8.5" />
                <path d="M12 7.5V12l3 2" />
              </svg>
            </ToolButton>
            <ToolButton label="Import JSON" onClick={() => fileInput.current?.click()}>
              ⇪
            </ToolButton>
          </>
        )}
        <ToolButton label="Export JSON" onClick={() => downloadPipeline(toPipelineGraph(store.getState()))}>
          ⇩
        </ToolButton>
        <ToolButton label="Keyboard shortcuts" shortcut="?" popoverTarget={helpId}>
          ?
        </ToolButton>
        <Divider />
        <button
          type="button"
          aria-pressed={triggersOpen}
          onClick={onToggleTriggers}
          title="Schedule, webhook and the pipelines this one runs after"
          className={`flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium ${
            triggersOpen ? "bg-sky-50 dark:bg-sky-950/50 text-sky-900 dark:text-sky-200 ring-1 ring-sky-200 dark:ring-sky-800" : "text-slate-700 dark:text-slate-300 hover:bg-slate-100 dark:hover:bg-slate-800 hover:text-slate-900 dark:hover:text-slate-100"
          }`}
        >
          <svg aria-hidden viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" className="size-4">
            <path d="M13 3 5 14h6l-1 7 8-11h-6l1-7Z" />
          </svg>
          Triggers
        </button>
        <AlertRulesLink />
        {readOnly ? null : (
          <>
            <Divider />
            <button
              type="button"
              onClick={onSave}
              disabled={saving}
              title="Save a new version (Ctrl+S)"
              className="ml-1 rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-1.5 text-sm font-medium text-slate-800 dark:text-slate-200 shadow-xs hover:bg-slate-50 dark:hover:bg-slate-800 disabled:opacity-60"
            >
              {saving ? "Saving…" : "Save"}
            </button>
          </>
        )}
        {runControl}
      </div>
      <input
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        aria-label="Pipeline JSON file to import"
        className="sr-only"
        tabIndex={-1}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void importFile(file);
          e.target.value = "";
        }}
      />
      <Popover ref={historyRef} id={historyId} label="Version history">
        <VersionHistory onDone={() => historyRef.current?.hidePopover()} />
      </Popover>
      <Popover ref={helpRef} id={helpId} label="Keyboard shortcuts">
        <div className="px-4 py-2">
          <ShortcutList />
        </div>
      </Popover>
      {importErrors ? <ImportErrors errors={importErrors} onClose={() => setImportErrors(null)} /> : null}
    </header>
  );
}

/** How many rules watch this pipeline (its own and the workspace-wide ones), linking to them on the Alerts page. */
function AlertRulesLink() {
  const trpc = useTRPC();
  const pipelineId = useEditor((s) => s.pipelineId);
  const rules = useQuery(trpc.alerts.rules.queryOptions({ pipelineId }));
  const count = rules.data?.length;
  return (
    <Link
      href={`/alerts?pipeline=${pipelineId}`}
      title="The alert rules that watch this pipeline"
      className="flex h-8 items-center rounded-md px-2.5 text-sm font-medium whitespace-nowrap text-slate-700 dark:text-slate-300 hover:bg-slate-100 dark:hover:bg-slate-800 hover:text-slate-900 dark:hover:text-slate-100"
    >
      {count === undefined ? "Alert rules" : `${count} alert rule${count === 1 ? "" : "s"}`}
    </Link>
  );
}
