"use client";

import { useId } from "react";
import { PARAM_TYPES, type TParamDeclaration, type TParamType } from "@/nodes/params";
import { useEditor, useEditorShallow, useEditorStore } from "../store-context";

const NO_PARAMS: TParamDeclaration[] = [];
const inputClass = "w-full min-w-0 rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2 py-1 text-sm focus:border-sky-500 focus:outline-none";
const TYPE_LABELS: Record<TParamType, string> = { string: "Text", number: "Number", boolean: "True / false", date: "Date" };
// What the form keeps of a typed default: a number when it reads as one, so the JSON holds 42 rather than "42".
const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?$/;

function freshName(taken: readonly TParamDeclaration[]): string {
  const names = new Set(taken.map((p) => p.name));
  for (let n = 1; ; n++) if (!names.has(`param_${n}`)) return `param_${n}`;
}

/** The default's input, by type; cleared, the parameter has no default. */
function DefaultInput({ param, id, onChange }: { param: TParamDeclaration; id: string; onChange: (value: TParamDeclaration["default"]) => void }) {
  const value = param.default === undefined ? "" : String(param.default);
  if (param.type === "boolean") {
    return (
      <select id={id} value={value} onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value === "true")} className={inputClass}>
        <option value="">No default</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  return (
    <input
      id={id}
      type={param.type === "date" ? "date" : "text"}
      inputMode={param.type === "number" ? "decimal" : undefined}
      value={value}
      placeholder="No default"
      onChange={(e) => {
        const text = e.target.value;
        onChange(text === "" ? undefined : param.type === "number" && NUMBER_TEXT.test(text) ? Number(text) : text);
      }}
      className={inputClass}
    />
  );
}

function ParamRow({ param, index, onChange, onRemove }: { param: TParamDeclaration; index: number; onChange: (next: TParamDeclaration) => void; onRemove: () => void }) {
  const id = useId();
  const problems = useEditorShallow((s) => s.problems.all.filter((p) => p.path[0] === "params" && p.path[1] === index));
  const set = <K extends keyof TParamDeclaration>(key: K, value: TParamDeclaration[K]) => {
    const next = { ...param, [key]: value };
    // Optional keys are left out rather than stored empty: the JSON stays as a person would write it.
    if (key !== "name" && (value === undefined || value === false || value === "")) delete next[key];
    onChange(next);
  };
  return (
    <li className="space-y-2 rounded-md border border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-950 p-2.5" aria-label={`Parameter ${param.name}`}>
      <div className="grid grid-cols-[1fr_7.5rem] gap-2">
        <div className="space-y-0.5">
          <label htmlFor={`${id}-name`} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
            Name
          </label>
          <input id={`${id}-name`} value={param.name} maxLength={64} spellCheck={false} onChange={(e) => set("name", e.target.value)} className={`${inputClass} font-mono`} />
        </div>
        <div className="space-y-0.5">
          <label htmlFor={`${id}-type`} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
            Type
          </label>
          <select
            id={`${id}-type`}
            value={param.type}
            // A default of another type would no longer fit: it goes with the old type.
            onChange={(e) => onChange({ ...param, type: e.target.value as TParamType, default: undefined })}
            className={inputClass}
          >
            {PARAM_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="space-y-0.5">
        <label htmlFor={`${id}-default`} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
          Default
        </label>
        <DefaultInput id={`${id}-default`} param={param} onChange={(value) => set("default", value)} />
      </div>
      <div className="space-y-0.5">
        <label htmlFor={`${id}-description`} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
          Description
        </label>
        <input id={`${id}-description`} value={param.description ?? ""} maxLength={500} placeholder="Shown when a run asks for it" onChange={(e) => set("description", e.target.value)} className={inputClass} />
      </div>
      <div className="flex items-center justify-between gap-2">
        <label className="flex items-center gap-1.5 text-sm text-slate-700 dark:text-slate-300">
          <input type="checkbox" checked={param.required ?? false} onChange={(e) => set("required", e.target.checked)} className="size-4 rounded border-slate-300 dark:border-slate-600" />
          Required
        </label>
        <button type="button" onClick={onRemove} className="rounded px-1.5 py-0.5 text-xs text-red-700 dark:text-red-300 hover:bg-red-50 dark:hover:bg-red-950/50">
          Remove
        </button>
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Use it as <code className="rounded bg-white dark:bg-slate-900 px-1 font-mono text-slate-700 dark:text-slate-300 ring-1 ring-slate-200 dark:ring-slate-700">{`{{params.${param.name}}}`}</code>
      </p>
      {problems.length > 0 ? (
        <ul className="space-y-0.5 text-xs text-red-800 dark:text-red-200">
          {problems.map((p, i) => (
            <li key={i}>{p.message.replace(/^params\.\d+\.?\w*: /, "")}</li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/**
 * The pipeline's run parameters: what a run is asked for (the Run button opens a form with
 * one field per parameter) and what node settings may use as `{{params.name}}`.
 */
export function ParamsSection() {
  const store = useEditorStore();
  const params = useEditor((s) => s.params ?? NO_PARAMS);
  const readOnly = useEditor((s) => s.readOnly);
  const update = (next: TParamDeclaration[]) => store.getState().setParams(next);
  return (
    <section aria-label="Parameters" className="space-y-2">
      <div className="flex items-center justify-between">
        <h3 className="text-xs font-semibold tracking-wide text-slate-500 dark:text-slate-400 uppercase">Parameters</h3>
        {readOnly ? null : (
          <button
            type="button"
            onClick={() => update([...params, { name: freshName(params), type: "string" }])}
            className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2 py-0.5 text-xs text-slate-700 dark:text-slate-300 shadow-xs hover:bg-slate-50 dark:hover:bg-slate-800"
          >
            Add parameter
          </button>
        )}
      </div>
      {params.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          None. Add one to give each run a value, e.g. a filter <code className="font-mono text-xs">city = {"{{params.city}}"}</code>; the Run button then asks for it.
        </p>
      ) : (
        <fieldset disabled={readOnly} className="min-w-0">
          <ul className="space-y-2">
            {params.map((param, index) => (
              <ParamRow
                key={index}
                index={index}
                param={param}
                onChange={(next) => update(params.map((p, i) => (i === index ? next : p)))}
                onRemove={() => update(params.filter((_, i) => i !== index))}
              />
            ))}
          </ul>
        </fieldset>
      )}
    </section>
  );
}
