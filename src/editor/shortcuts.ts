"use client";

import { useReactFlow } from "@xyflow/react";
import { useEffect } from "react";
import { useEditorStore } from "./store-context";

/** Every keyboard shortcut, as the help popover lists it. "Mod" is Ctrl, or ⌘ on a Mac. */
export const SHORTCUTS: readonly { keys: string; action: string }[] = [
  { keys: "Mod+S", action: "Save a new version" },
  { keys: "Mod+Z", action: "Undo" },
  { keys: "Mod+Shift+Z / Mod+Y", action: "Redo" },
  { keys: "Mod+C / Mod+V", action: "Copy / paste selected nodes" },
  { keys: "Mod+D", action: "Duplicate selected nodes" },
  { keys: "Mod+A", action: "Select all nodes" },
  { keys: "Delete / Backspace", action: "Delete selection" },
  { keys: "Shift+click, Shift+drag", action: "Select several nodes" },
  { keys: "Arrow keys", action: "Move the selected nodes" },
  { keys: "Tab, then Enter", action: "Focus a node, select it" },
  { keys: "L", action: "Auto-layout" },
  { keys: "F", action: "Fit the pipeline into view" },
  { keys: "Escape", action: "Clear the selection" },
  { keys: "?", action: "Show these shortcuts" },
];

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function useShortcuts(actions: { save(): void; toggleHelp(): void }) {
  const store = useEditorStore();
  const { fitView } = useReactFlow();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === "s") {
        event.preventDefault();
        actions.save();
        return;
      }
      if (isTyping(event.target) || event.altKey) return;
      const state = store.getState();
      const run = (action: () => void) => {
        event.preventDefault();
        action();
      };
      if (mod) {
        if (key === "z" && event.shiftKey) run(state.redo);
        else if (key === "z" || key === "y") run(key === "z" ? state.undo : state.redo);
        else if (key === "c" && !window.getSelection()?.toString()) run(state.copySelection);
        else if (key === "v") run(state.paste);
        else if (key === "d") run(state.duplicateSelection);
        else if (key === "a") run(state.selectAll);
        return;
      }
      if (key === "delete" || key === "backspace") run(state.deleteSelection);
      else if (key === "escape") run(() => state.select([]));
      else if (key === "l") run(() => {
        state.autoLayout();
        requestAnimationFrame(() => void fitView({ padding: 0.2, duration: 300 }));
      });
      else if (key === "f") run(() => void fitView({ padding: 0.2, duration: 300 }));
      else if (event.key === "?") run(actions.toggleHelp);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [store, fitView, actions]);
}
