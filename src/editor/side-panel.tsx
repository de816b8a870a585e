"use client";

import { useId } from "react";
import type { NodeDefinition } from "@/nodes/contract";
import { registry } from "@/nodes/registry";
import { categoryStyle } from "./categories";
import { NodeConfigForm } from "./form/node-config-form";
import { problemText } from "@/nodes/problems";
import { useEditor, useEditorShallow, useEditorStore } from "./store-context";
import { NodeIcon } from "./node-icon";
import { ParamsSection } from "./params/params-section";

const buttonClass = "rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2.5 py-1 text-sm text-slate-700 dark:text-slate-300 shadow-xs hover:bg-slate-50 dark:hover:bg-slate-800";

function ProblemList({ nodeId }: { nodeId?: string }) {
  const all = useEditor((s) => s.problems.all);
  const store = useEditorStore();
  const problems = nodeId === undefined ? all : all.filter((p) => p.nodeId === nodeId);
  if (problems.length === 0) return null;
  return (
    <section aria-label="Problems" className="rounded-md border border-red-200 dark:border-red-800 bg-red-50 dark:bg-red-950/50 p-3">
      <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-red-800 dark:text-red-200 uppercase">
        {problems.length} problem{problems.length > 1 ? "s" : ""}
      </h3>
      <ul className="space-y-1 text-sm text-red-900 dark:text-red-200">
        {problems.map((p, i) => (
          <li key={i} className="flex gap-1.5">
            <span aria-hidden>•</span>
            {nodeId === undefined && p.nodeId ? (
              <button type="button" onClick={() => store.getState().select([p.nodeId!])} className="text-left underline-offset-2 hover:underline">
                <span className="font-mono text-xs">{p.nodeId}</span>: {problemText(p)}
              </button>
            ) : (
              <span>{nodeId === undefined ? p.message : problemText(p)}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Keyboard-reachable wiring: pick the upstream node of each input. */
function InputPorts({ nodeId, definition }: { nodeId: string; definition: NodeDefinition }) {
  const store = useEditorStore();
  const incoming = useEditorShallow((s) => s.edges.filter((e) => e.target === nodeId));
  const candidates = useEditorShallow((s) =>
    s.nodes.filter((n) => n.id !== nodeId && (registry.get(n.data.nodeType)?.outputs.length ?? 0) > 0),
  );
  const baseId = useId();
  if (definition.inputs.length === 0) return null;
  const connect = (port: string, value: string) => {
    const state = store.getState();
    const existing = incoming.find((e) => e.targetHandle === port);
    if (existing) state.removeEdge(existing.id);
    if (value === "") return;
    const [source, sourceHandle] = value.split("\u0000") as [string, string];
    const problem = state.connect({ source, sourceHandle, target: nodeId, targetHandle: port });
    if (problem) {
      if (existing) state.undo();
      state.notify(`Cannot connect: ${problem}`);
    }
  };
  return (
    <section aria-label="Inputs" className="space-y-2">
      <h3 className="text-xs font-semibold tracking-wide text-slate-500 dark:text-slate-400 uppercase">Inputs</h3>
      {definition.inputs.map((port) => {
        const edge = incoming.find((e) => e.targetHandle === port.name);
        const id = `${baseId}-${port.name}`;
        return (
          <div key={port.name} className="flex items-center gap-2">
            <label htmlFor={id} className="w-24 shrink-0 text-sm text-slate-700 dark:text-slate-300">
              {port.label}
            </label>
            <select
              id={id}
              value={edge ? `${edge.source}\u0000${edge.sourceHandle ?? "out"}` : ""}
              onChange={(e) => connect(port.name, e.target.value)}
              className="min-w-0 flex-1 rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2 py-1 text-sm"
            >
              <option value="">Not connected</option>
              {candidates.flatMap((n) => {
                const d = registry.get(n.data.nodeType);
                return (d?.outputs ?? []).map((out) => (
                  <option key={`${n.id}-${out.name}`} value={`${n.id}\u0000${out.name}`}>
                    {n.data.label ?? d?.ui.title} ({n.id}){(d?.outputs.length ?? 0) > 1 ? ` · ${out.label}` : ""}
                  </option>
                ));
              })}
            </select>
          </div>
        );
      })}
    </section>
  );
}

function NodePanel({ nodeId }: { nodeId: string }) {
  const store = useEditorStore();
  const nodeType = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data.nodeType);
  const label = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data.label ?? "");
  const revision = useEditor((s) => s.revision);
  const readOnly = useEditor((s) => s.readOnly);
  const labelId = useId();
  const definition = nodeType ? registry.get(nodeType) : undefined;
  if (!definition) {
    return <p className="p-4 text-sm text-red-700 dark:text-red-300">This node has the type “{nodeType}”, which this version of Sluice does not know.</p>;
  }
  const style = categoryStyle(definition.ui.category);
  return (
    <div className="space-y-5 p-4">
      <header className="flex items-start gap-3">
        <span aria-hidden className={`flex h-9 w-9 shrink-0 items-center justify-center rounded-md text-lg ring-1 ${style.chip}`}>
          <NodeIcon name={definition.ui.icon} className="size-5" />
        </span>
        <div className="min-w-0">
          <h2 className="truncate text-base font-semibold text-slate-900 dark:text-slate-100">{definition.ui.title}</h2>
          <p className="font-mono text-xs text-slate-500 dark:text-slate-400">{nodeId}</p>
        </div>
      </header>
      <details className="group text-sm text-slate-600 dark:text-slate-300">
        <summary className="cursor-pointer text-xs font-medium text-sky-700 dark:text-sky-300 select-none">About this node</summary>
        <p className="mt-1.5 leading-relaxed">{definition.ui.description}</p>
      </details>
      {/* An old version opened read-only: every control shows its value and changes nothing. */}
      <fieldset disabled={readOnly} className="min-w-0 space-y-5">
        <div className="space-y-1">
          <label htmlFor={labelId} className="block text-sm font-medium text-slate-700 dark:text-slate-300">
            Name on canvas
          </label>
          <input
            id={labelId}
            type="text"
            value={label}
            placeholder={definition.ui.title}
            maxLength={120}
            onChange={(e) => store.getState().setLabel(nodeId, e.target.value)}
            className="w-full rounded-md border border-slate-300 dark:border-slate-600 px-2.5 py-1.5 text-sm focus:border-sky-500 focus:outline-none"
          />
        </div>
        <InputPorts nodeId={nodeId} definition={definition} />
        <ProblemList nodeId={nodeId} />
        <section aria-label="Settings" className="space-y-3">
          <h3 className="text-xs font-semibold tracking-wide text-slate-500 dark:text-slate-400 uppercase">Settings</h3>
          <NodeConfigForm key={revision} nodeId={nodeId} definition={definition} />
        </section>
        {readOnly ? null : (
          <div className="flex gap-2 border-t border-slate-200 dark:border-slate-700 pt-4">
            <button type="button" onClick={() => store.getState().duplicateSelection()} className={buttonClass}>
              Duplicate
            </button>
            <button
              type="button"
              onClick={() => store.getState().deleteSelection()}
              className="rounded-md border border-red-200 dark:border-red-800 bg-white dark:bg-slate-900 px-2.5 py-1 text-sm text-red-700 dark:text-red-300 hover:bg-red-50 dark:hover:bg-red-950/50"
            >
              Delete node
            </button>
          </div>
        )}
      </fieldset>
    </div>
  );
}

function PipelinePanel() {
  const nodeCount = useEditor((s) => s.nodes.length);
  const edgeCount = useEditor((s) => s.edges.length);
  const problemCount = useEditor((s) => s.problems.all.length);
  const readOnly = useEditor((s) => s.readOnly);
  return (
    <div className="space-y-4 p-4">
      <h2 className="text-base font-semibold text-slate-900 dark:text-slate-100">Pipeline</h2>
      {nodeCount === 0 && readOnly ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">This version has no nodes yet.</p>
      ) : nodeCount === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 dark:border-slate-600 p-4 text-sm text-slate-600 dark:text-slate-300">
          <p className="font-medium text-slate-800 dark:text-slate-200">Start with a source</p>
          <ol className="mt-2 list-decimal space-y-1 pl-4">
            <li>Drag <strong>CSV file</strong> from the palette onto the canvas.</li>
            <li>Upload a file in its settings.</li>
            <li>Add a <strong>Validate</strong> node and a destination, and connect them.</li>
          </ol>
        </div>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          {nodeCount} node{nodeCount === 1 ? "" : "s"}, {edgeCount} connection{edgeCount === 1 ? "" : "s"}.{" "}
          {problemCount === 0 ? "No problems found." : null} Select a node to {readOnly ? "see" : "edit"} its settings.
        </p>
      )}
      <ProblemList />
      <ParamsSection />
    </div>
  );
}

function SelectionPanel({ count }: { count: number }) {
  const store = useEditorStore();
  const readOnly = useEditor((s) => s.readOnly);
  return (
    <div className="space-y-3 p-4">
      <h2 className="text-base font-semibold text-slate-900 dark:text-slate-100">{count} nodes selected</h2>
      <fieldset disabled={readOnly} className="flex flex-wrap gap-2">
        <button type="button" onClick={() => store.getState().copySelection()} className={buttonClass}>
          Copy
        </button>
        <button type="button" onClick={() => store.getState().duplicateSelection()} className={buttonClass}>
          Duplicate
        </button>
        <button type="button" onClick={() => store.getState().deleteSelection()} className="rounded-md border border-red-200 dark:border-red-800 bg-white dark:bg-slate-900 px-2.5 py-1 text-sm text-red-700 dark:text-red-300 hover:bg-red-50 dark:hover:bg-red-950/50">
          Delete
        </button>
      </fieldset>
    </div>
  );
}

export function SidePanel() {
  const selected = useEditorShallow((s) => s.nodes.filter((n) => n.selected).map((n) => n.id));
  return (
    <aside aria-label="Node settings" className="w-80 shrink-0 overflow-y-auto border-l border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 2xl:w-96">
      {selected.length === 1 ? <NodePanel key={selected[0]} nodeId={selected[0]!} /> : selected.length > 1 ? <SelectionPanel count={selected.length} /> : <PipelinePanel />}
    </aside>
  );
}
