"use client";

import { useReactFlow, useStoreApi } from "@xyflow/react";
import { useId, useMemo, useState, type DragEvent } from "react";
import type { NodeDefinition } from "@/nodes/contract";
import { registry } from "@/nodes/registry";
import { NODE_DRAG_TYPE } from "./canvas";
import { CATEGORIES } from "./categories";
import { useEditorStore } from "./store-context";
import { NodeIcon } from "./node-icon";

/** A node's size before it is measured (see PipelineNode). */
const NODE_WIDTH = 240;
const NODE_HEIGHT = 64;

function matches(definition: NodeDefinition, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [definition.ui.title, definition.type, definition.ui.description].some((text) => text.toLowerCase().includes(q));
}

export function Palette() {
  const store = useEditorStore();
  const { getViewport, fitView, getNode } = useReactFlow();
  const flow = useStoreApi();
  const [query, setQuery] = useState("");
  const searchId = useId();
  const groups = useMemo(
    () =>
      CATEGORIES.map((category) => ({ ...category, definitions: registry.byCategory(category.id).filter((d) => matches(d, query)) })).filter(
        (g) => g.definitions.length > 0,
      ),
    [query],
  );

  const add = (type: string) => {
    const state = store.getState();
    // Click-to-add: to the right of the selected node, or of the rightmost one, within view.
    const anchor = state.nodes.find((n) => n.selected) ?? state.nodes.reduce<(typeof state.nodes)[number] | undefined>(
      (right, n) => (!right || n.position.x > right.position.x ? n : right),
      undefined,
    );
    const viewport = getViewport();
    const position = anchor
      ? { x: anchor.position.x + 300, y: anchor.position.y }
      : { x: (80 - viewport.x) / viewport.zoom, y: (120 - viewport.y) / viewport.zoom };
    const id = state.addNode(type, position);
    // Keep the new node in sight: zoom out if it is not, never in. A node already in sight
    // leaves the view still (moving it would pull ports away from under the pointer).
    setTimeout(() => {
      const { x, y, zoom } = getViewport();
      const { width, height } = flow.getState();
      const size = getNode(id)?.measured;
      const left = position.x * zoom + x;
      const top = position.y * zoom + y;
      const inSight = left >= 0 && top >= 0 && left + (size?.width ?? NODE_WIDTH) * zoom <= width && top + (size?.height ?? NODE_HEIGHT) * zoom <= height;
      if (!inSight) void fitView({ padding: 0.2, maxZoom: zoom, duration: 200 });
    }, 50);
  };

  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(NODE_DRAG_TYPE, type);
    event.dataTransfer.effectAllowed = "copy";
  };

  return (
    <aside aria-label="Node palette" className="flex w-52 shrink-0 flex-col border-r border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 2xl:w-60">
      <div className="border-b border-slate-200 dark:border-slate-700 p-3">
        <label htmlFor={searchId} className="sr-only">
          Search nodes
        </label>
        <input
          id={searchId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search nodes…"
          className="w-full rounded-md border border-slate-300 dark:border-slate-600 px-2.5 py-1.5 text-sm placeholder:text-slate-400 focus:border-sky-500 focus:outline-none"
        />
      </div>
      <div className="flex-1 overflow-y-auto p-2">
        {groups.length === 0 ? <p className="px-2 py-4 text-sm text-slate-500 dark:text-slate-400">No node matches “{query}”.</p> : null}
        {groups.map((group) => (
          <section key={group.id} aria-label={group.label} className="mb-3">
            <h3 className="px-2 pb-1 text-[11px] font-semibold tracking-wide text-slate-500 dark:text-slate-400 uppercase">{group.label}</h3>
            <ul className="space-y-1">
              {group.definitions.map((definition) => (
                <li key={definition.type}>
                  <button
                    type="button"
                    draggable
                    onDragStart={(e) => onDragStart(e, definition.type)}
                    onClick={() => add(definition.type)}
                    aria-label={`Add ${definition.ui.title}`}
                    title={`${definition.ui.description}\n\nDrag onto the canvas, or click to add.`}
                    className="flex w-full cursor-grab items-center gap-2 rounded-md border border-transparent px-2 py-1.5 text-left text-sm text-slate-700 dark:text-slate-300 hover:border-slate-200 dark:hover:border-slate-700 hover:bg-slate-50 dark:hover:bg-slate-800 active:cursor-grabbing"
                  >
                    <span aria-hidden className={`flex h-6 w-6 items-center justify-center rounded text-sm ring-1 ${group.chip}`}>
                      <NodeIcon name={definition.ui.icon} className="size-3.5" />
                    </span>
                    <span className="truncate">{definition.ui.title}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
      <p className="border-t border-slate-200 dark:border-slate-700 p-3 text-xs text-slate-500 dark:text-slate-400">Drag a node onto the canvas or click it to add.</p>
    </aside>
  );
}
