"use client";

import { useMemo } from "react";
import type { NodeDefinition } from "@/nodes/contract";
import type { TParamDeclaration } from "@/nodes/params";
import { problemText } from "@/nodes/problems";
import { useEditor, useEditorShallow, useEditorStore } from "../store-context";
import { configFields, setIn } from "./fields";
import { FormContext, type FieldPath, type FormContextValue } from "./field-context";
import { Field } from "./config-form";

const EMPTY: Record<string, unknown> = {};
const NO_PARAMS: TParamDeclaration[] = [];

function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((part, i) => String(part) === String(b[i]));
}

/** The config form of one node, generated from its type's zod schema. */
export function NodeConfigForm({ nodeId, definition }: { nodeId: string; definition: NodeDefinition }) {
  const store = useEditorStore();
  const config = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data.config ?? EMPTY);
  const problems = useEditor((s) => s.problems.byNode[nodeId]);
  const columns = useEditor((s) => s.columns);
  const params = useEditor((s) => s.params ?? NO_PARAMS);
  const upstream = useEditorShallow((s) =>
    Object.fromEntries(s.edges.filter((e) => e.target === nodeId).map((e) => [e.targetHandle ?? "in", e.source])),
  );
  const fields = configFields(definition.config);

  const context = useMemo<FormContextValue>(
    () => ({
      nodeId,
      change(path: FieldPath, value: unknown) {
        const current = store.getState().nodes.find((n) => n.id === nodeId)?.data.config ?? EMPTY;
        store.getState().updateConfig(nodeId, setIn(current, path, value) as Record<string, unknown>);
      },
      errorsAt: (path) =>
        (problems ?? []).filter((p) => (p.code === "config" || p.code === "columns" || p.code === "params") && samePath(p.path, path)).map(problemText),
      columns(port) {
        const name = port ?? definition.inputs[0]?.name;
        if (name === undefined) return columns[nodeId] ?? undefined;
        const source = upstream[name];
        return source !== undefined ? (columns[source] ?? undefined) : undefined;
      },
      params,
    }),
    [nodeId, store, problems, columns, upstream, definition, params],
  );

  return (
    <FormContext.Provider value={context}>
      <div className="space-y-4">
        {fields.map((field) => (
          <Field key={field.key} spec={field} path={[field.key]} value={config[field.key]} />
        ))}
      </div>
    </FormContext.Provider>
  );
}
