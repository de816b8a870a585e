"use client";

import { useEffect, useState } from "react";
import { ZPipelineGraph, type TPipelineGraph } from "@/nodes/pipeline";
import { fromPipelineGraph, toPipelineGraph } from "./graph";
import { useEditorStore } from "./store-context";

export interface Draft {
  baseVersion: number;
  savedAt: string;
  graph: TPipelineGraph;
}

const WRITE_EVERY_MS = 500;

export function draftKey(pipelineId: string): string {
  return `sluice:draft:${pipelineId}`;
}

export function readDraft(pipelineId: string): Draft | null {
  try {
    const raw = window.localStorage.getItem(draftKey(pipelineId));
    if (!raw) return null;
    const parsed = JSON.parse(raw) as { baseVersion?: unknown; savedAt?: unknown; graph?: unknown };
    const graph = ZPipelineGraph.safeParse(parsed.graph);
    if (!graph.success || typeof parsed.baseVersion !== "number" || typeof parsed.savedAt !== "string") return null;
    return { baseVersion: parsed.baseVersion, savedAt: parsed.savedAt, graph: graph.data };
  } catch {
    return null;
  }
}

export function clearDraft(pipelineId: string): void {
  window.localStorage.removeItem(draftKey(pipelineId));
}

/** The draft left by an earlier visit, when it differs from the saved graph; a draft equal to it is dropped. */
function unsavedDraft(pipelineId: string, savedGraph: TPipelineGraph): Draft | null {
  const draft = readDraft(pipelineId);
  if (!draft) return null;
  const saved = JSON.stringify(toPipelineGraph(fromPipelineGraph(savedGraph)));
  if (JSON.stringify(toPipelineGraph(fromPipelineGraph(draft.graph))) !== saved) return draft;
  clearDraft(pipelineId);
  return null;
}

/**
 * Keeps unsaved changes in localStorage so a reload does not lose them, and (unless
 * `options.offer` is false) offers a draft found at start, when it differs from the saved
 * version, for restoring.
 */
export function useDraft(savedGraph: TPipelineGraph, options: { offer: boolean } = { offer: true }) {
  const store = useEditorStore();
  const pipelineId = store.getState().pipelineId;
  // Read once, when the editor opens (it renders only in the browser, after the pipeline loaded):
  // only the graph the page opened with is compared.
  const [offer, setOffer] = useState<Draft | null>(() => (options.offer ? unsavedDraft(pipelineId, savedGraph) : null));

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const write = () => {
      timer = undefined;
      const state = store.getState();
      if (!state.dirty) return;
      const draft = { baseVersion: state.baseVersion, savedAt: new Date().toISOString(), graph: toPipelineGraph(state) };
      try {
        window.localStorage.setItem(draftKey(pipelineId), JSON.stringify(draft));
      } catch {
        // Storage full or disabled: the editor keeps working, only reload-safety is lost.
      }
    };
    const unsubscribe = store.subscribe((state, previous) => {
      if (previous.dirty && !state.dirty) {
        clearTimeout(timer);
        timer = undefined;
        clearDraft(pipelineId);
        return;
      }
      if (state.dirty && timer === undefined) timer = setTimeout(write, WRITE_EVERY_MS);
    });
    const flush = () => {
      if (timer !== undefined) {
        clearTimeout(timer);
        write();
      }
    };
    window.addEventListener("pagehide", flush);
    return () => {
      flush();
      unsubscribe();
      window.removeEventListener("pagehide", flush);
    };
  }, [store, pipelineId]);

  return {
    offer,
    restore() {
      if (!offer) return;
      store.getState().load(fromPipelineGraph(offer.graph), { dirty: true, keepHistory: true });
      setOffer(null);
    },
    discard() {
      clearDraft(pipelineId);
      setOffer(null);
    },
  };
}
