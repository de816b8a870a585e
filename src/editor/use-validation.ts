"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { TPipelineGraphInput } from "@/nodes/pipeline";
import { useTRPCClient } from "@/trpc/react";
import { toPipelineGraph } from "./graph";
import { useEditorStore } from "./store-context";

/** Quiet time after the last edit before the graph is checked again. */
export const VALIDATE_DEBOUNCE_MS = 350;

/**
 * Checks the graph on the server as it changes (debounced; moving nodes does not count)
 * and puts the problems and column lists into the store. Returns whether a check is running.
 */
export function useValidation(): { checking: boolean; failed: string | null } {
  const store = useEditorStore();
  const client = useTRPCClient();
  const [graph, setGraph] = useState<TPipelineGraphInput>(() => toPipelineGraph(store.getState(), { withPositions: false }));

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = JSON.stringify(graph);
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.nodes === previous.nodes && state.edges === previous.edges && state.name === previous.name && state.params === previous.params) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const next = toPipelineGraph(store.getState(), { withPositions: false });
        const key = JSON.stringify(next);
        if (key === last) return;
        last = key;
        setGraph(next);
      }, VALIDATE_DEBOUNCE_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
    // Subscribed once; `graph` only seeds the comparison.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);

  const query = useQuery({
    queryKey: ["editor.check", graph],
    // A mutation only because it is sent as POST (see editor.check); it changes nothing.
    queryFn: () => client.editor.check.mutate({ graph }),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });

  useEffect(() => {
    if (query.data && !query.isPlaceholderData) store.getState().setValidation(query.data, graph.edges);
  }, [query.data, query.isPlaceholderData, graph, store]);

  return { checking: query.isFetching, failed: query.error ? query.error.message : null };
}
