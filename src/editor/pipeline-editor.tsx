"use client";

import { RoleGate, useCan } from "@/components/caller-context";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { TPipelineGraph } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import { useTRPC } from "@/trpc/react";
import { Canvas } from "./canvas";
import { formatRelative } from "./format";
import { fromPipelineGraph, toPipelineGraph } from "./graph";
import { Palette } from "./palette";
import { PreviewPanel } from "./preview-panel";
import { RunControl } from "./run-control";
import { useShortcuts } from "./shortcuts";
import { SidePanel } from "./side-panel";
import { EditorStoreProvider, useEditor, useEditorStore } from "./store-context";
import { Toolbar } from "./toolbar";
import { TriggersPanel } from "./triggers/triggers-panel";
import { useDraft } from "./use-draft";
import { useValidation } from "./use-validation";

const NOTICE_MS = 6000;

function NoticeToast() {
  const notice = useEditor((s) => s.notice);
  const dismiss = useEditor((s) => s.dismissNotice);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => dismiss(notice.id), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  return (
    <div aria-live="polite" className="pointer-events-none absolute inset-x-0 bottom-4 z-20 flex justify-center px-4">
      {notice ? (
        <div
          role={notice.kind === "error" ? "alert" : "status"}
          className={`pointer-events-auto flex max-w-xl items-start gap-3 rounded-lg px-4 py-2.5 text-sm shadow-lg ${
            notice.kind === "error" ? "bg-red-700 text-white" : "bg-slate-900 text-white dark:bg-slate-700"
          }`}
        >
          <span>{notice.message}</span>
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(notice.id)} className="-mr-1 rounded px-1 text-white/70 hover:text-white">
            ×
          </button>
        </div>
      ) : null}
    </div>
  );
}

function DraftBanner({ draft }: { draft: ReturnType<typeof useDraft> }) {
  if (!draft.offer) return null;
  const at = new Date(draft.offer.savedAt);
  return (
    <div role="region" aria-label="Unsaved changes found" className="flex items-center gap-3 border-b border-amber-200 dark:border-amber-800 bg-amber-50 dark:bg-amber-950/50 px-4 py-2 text-sm text-amber-900 dark:text-amber-200">
      <span className="flex-1">
        You have unsaved changes from <time dateTime={draft.offer.savedAt}>{formatRelative(at)}</time> (based on version {draft.offer.baseVersion}).
      </span>
      <button type="button" onClick={draft.restore} className="rounded-md bg-amber-600 px-2.5 py-1 font-medium text-white hover:bg-amber-700">
        Restore unsaved changes
      </button>
      <button type="button" onClick={draft.discard} className="rounded-md px-2.5 py-1 text-amber-900 dark:text-amber-200 hover:bg-amber-100 dark:hover:bg-amber-900">
        Discard
      </button>
    </div>
  );
}

/** An old version, open read-only, and the way to edit it. */
function VersionBanner({ viewing }: { viewing: Viewing }) {
  const store = useEditorStore();
  const pipelineId = useEditor((s) => s.pipelineId);
  const restore = () => {
    const state = store.getState();
    state.load({ name: state.name, nodes: state.nodes, edges: state.edges }, { dirty: true, baseVersion: viewing.latest, readOnly: false });
    // The address stops naming the old version: a reload opens the latest, with this as its unsaved draft.
    window.history.replaceState(null, "", `/pipelines/${pipelineId}`);
    store.getState().notify(`Version ${viewing.version} is on the canvas as unsaved changes: save to make it the latest version.`, "info");
  };
  return (
    <div role="region" aria-label="Old version" className="flex flex-wrap items-center gap-3 border-b border-sky-200 dark:border-sky-800 bg-sky-50 dark:bg-sky-950/50 px-4 py-2 text-sm text-sky-950 dark:text-sky-100">
      <span className="flex-1">
        <strong className="font-semibold">
          Viewing version {viewing.version} (the latest is {viewing.latest}).
        </strong>{" "}
        Read-only: select nodes to see their settings and data; restore it to edit it or run it again.
      </span>
      <RoleGate role="editor">
        <button type="button" onClick={restore} className="rounded-md bg-sky-700 px-2.5 py-1 font-medium text-white hover:bg-sky-800">
          Restore as unsaved changes
        </button>
      </RoleGate>
      <Link href={`/pipelines/${pipelineId}`} className="rounded-md px-2.5 py-1 text-sky-900 dark:text-sky-200 underline-offset-2 hover:bg-sky-100 dark:hover:bg-sky-900 hover:underline">
        Open the latest version
      </Link>
    </div>
  );
}

/** The version a read-only editor shows, and the latest one. */
interface Viewing {
  version: number;
  latest: number;
}

function EditorShell({ saved, viewing }: { saved: TPipelineGraph; viewing: Viewing | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const store = useEditorStore();
  const helpRef = useRef<HTMLDivElement>(null);
  const { checking } = useValidation();
  const saveMutation = useMutation(trpc.pipelines.save.mutationOptions());
  const renameMutation = useMutation(trpc.pipelines.rename.mutationOptions());
  const readOnly = useEditor((s) => s.readOnly);
  const pipelineId = useEditor((s) => s.pipelineId);
  const [triggersOpen, setTriggersOpen] = useState(false);
  // Opened on an old version, the draft of the latest is not offered: restoring the old one replaces it.
  const draft = useDraft(saved, { offer: viewing === null });

  const save = useCallback(async (): Promise<boolean> => {
    const state = store.getState();
    if (state.readOnly) {
      state.notify(`Version ${state.baseVersion} is read-only: restore it as unsaved changes to save it as a new version.`);
      return false;
    }
    const snapshot = { name: state.name, nodes: state.nodes, edges: state.edges, params: state.params };
    try {
      const result = await saveMutation.mutateAsync({ id: state.pipelineId, name: state.name, graph: toPipelineGraph(snapshot) });
      store.getState().markSaved(result.version, snapshot);
      store.getState().notify(`Saved version ${result.version}.`, "info");
      void queryClient.invalidateQueries({ queryKey: trpc.pipelines.versions.queryKey({ id: state.pipelineId }) });
      void queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
      return true;
    } catch (error) {
      const message = (error as Error).message;
      if (message.startsWith("The pipeline cannot be saved")) {
        // The problems are on the canvas already; the pipeline panel lists them all.
        store.getState().select([]);
        store.getState().notify("Could not save: fix the problems marked on the canvas first (the Pipeline panel lists them).");
      } else {
        store.getState().notify(`Could not save: ${message}`);
      }
      return false;
    }
  }, [store, saveMutation, queryClient, trpc]);

  const rename = useCallback(
    async (name: string) => {
      const state = store.getState();
      try {
        const renamed = await renameMutation.mutateAsync({ id: state.pipelineId, name });
        store.getState().rename(renamed.name);
        store.getState().notify(`Renamed to “${renamed.name}”.`, "info");
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.pathKey() });
      } catch (error) {
        store.getState().notify(`Could not rename: ${(error as Error).message}`);
        throw error;
      }
    },
    [store, renameMutation, queryClient, trpc],
  );

  const shortcutActions = useMemo(() => ({ save: () => void save(), toggleHelp: () => helpRef.current?.togglePopover() }), [save]);
  useShortcuts(shortcutActions);

  // Leaving with unsaved changes: the draft survives, but say so.
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (store.getState().dirty) event.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [store]);

  return (
    <div className="flex h-full min-h-0 flex-col">
      <Toolbar
        onSave={() => void save()}
        onRename={rename}
        saving={saveMutation.isPending}
        checking={checking}
        helpRef={helpRef}
        runControl={readOnly ? null : <RunControl save={save} />}
        triggersOpen={triggersOpen}
        onToggleTriggers={() => setTriggersOpen((open) => !open)}
      />
      {readOnly && viewing ? <VersionBanner viewing={viewing} /> : <DraftBanner draft={draft} />}
      <div className="flex min-h-0 flex-1">
        {readOnly ? null : <Palette />}
        <div className="relative flex min-w-0 flex-1 flex-col">
          <div className="relative min-h-0 flex-1">
            <Canvas />
            <NoticeToast />
          </div>
          <PreviewPanel />
        </div>
        {triggersOpen ? <TriggersPanel pipelineId={pipelineId} onClose={() => setTriggersOpen(false)} /> : <SidePanel />}
      </div>
    </div>
  );
}

function EditorSkeleton() {
  return (
    <div className="flex h-full flex-col" aria-busy="true" aria-label="Loading pipeline">
      <div className="flex h-14 items-center gap-3 border-b border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 px-4">
        <div className="h-5 w-48 animate-pulse rounded bg-slate-200 dark:bg-slate-700" />
        <div className="ml-auto h-8 w-40 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />
      </div>
      <div className="flex flex-1">
        <div className="w-56 space-y-2 border-r border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-3">
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className="h-7 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />
          ))}
        </div>
        <div className="flex-1 bg-slate-50 dark:bg-slate-950" />
        <div className="w-80 border-l border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900" />
      </div>
    </div>
  );
}

function OpenFailed({ title, message, retry, pipelineId }: { title: string; message: string; retry?: () => void; pipelineId?: string }) {
  return (
    <div className="mx-auto max-w-lg p-10">
      <h1 className="text-lg font-semibold text-slate-900 dark:text-slate-100">{title}</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">{message}</p>
      <div className="mt-4 flex gap-3">
        {retry ? (
          <button type="button" onClick={retry} className="rounded-md bg-slate-900 px-3 py-1.5 text-sm text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-slate-300">
            Try again
          </button>
        ) : null}
        {pipelineId ? (
          <Link href={`/pipelines/${pipelineId}`} className="rounded-md bg-slate-900 px-3 py-1.5 text-sm text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-slate-300">
            Open the latest version
          </Link>
        ) : null}
        <Link href="/pipelines" className="rounded-md border border-slate-300 dark:border-slate-600 px-3 py-1.5 text-sm text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800">
          All pipelines
        </Link>
      </div>
    </div>
  );
}

const VERSION_NUMBER = /^[1-9][0-9]{0,8}$/;

/**
 * The editor of a pipeline's latest version, or, given `version` (from `?version=N`, as
 * a run links to the version it ran), that version read-only with a way to restore it.
 */
export function PipelineEditor({ pipelineId, version }: { pipelineId: string; version?: string }) {
  // Viewers read pipelines: the canvas opens read-only, without Save, Run or the palette.
  const canEdit = useCan("editor");
  const trpc = useTRPC();
  const requested = version !== undefined && VERSION_NUMBER.test(version) ? Number(version) : undefined;
  // Read once: later refetches must not overwrite what the user is editing. Dropped when the
  // editor closes, so coming back (after saving, or with the browser's Back) reads it anew.
  const once = { staleTime: Infinity, gcTime: 0, refetchOnWindowFocus: false } as const;
  const pipeline = useQuery(trpc.pipelines.get.queryOptions({ id: pipelineId }, once));
  const pinned = useQuery(trpc.pipelines.get.queryOptions({ id: pipelineId, version: requested }, { ...once, enabled: requested !== undefined }));

  if (version !== undefined && requested === undefined) {
    return <OpenFailed title="There is no such version" message={`“${version}” is not a version number: versions are numbered 1, 2, 3…`} pipelineId={pipelineId} />;
  }
  if (pipeline.isPending || (requested !== undefined && pinned.isPending)) return <EditorSkeleton />;
  if (pipeline.error) return <OpenFailed title="This pipeline could not be opened" message={pipeline.error.message} retry={() => void pipeline.refetch()} />;
  if (requested !== undefined && pinned.error) {
    return (
      <OpenFailed
        title={`Version ${requested} could not be opened`}
        message={requested > pipeline.data.latestVersion ? `This pipeline has versions 1 to ${pipeline.data.latestVersion}.` : pinned.error.message}
        retry={() => void pinned.refetch()}
        pipelineId={pipelineId}
      />
    );
  }
  const latest = pipeline.data;
  const old = requested !== undefined && requested !== latest.version && pinned.data ? pinned.data : null;
  const shown = old ?? latest;
  return (
    <EditorStoreProvider init={{ registry, pipelineId, baseVersion: shown.version, graph: fromPipelineGraph(shown.graph), readOnly: old !== null || !canEdit }}>
      <ReactFlowProvider>
        <EditorShell saved={latest.graph} viewing={old ? { version: old.version, latest: latest.version } : null} />
      </ReactFlowProvider>
    </EditorStoreProvider>
  );
}
