"use client";

import { useEffect, useId, useRef, useState } from "react";
import { buttonStyles } from "@/components/page-header";
import { resolveRunParams, type TParamDeclaration } from "@/nodes/params";

const inputClass =
  "w-full rounded-md border px-2.5 py-1.5 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-sky-600 aria-invalid:border-rose-400 aria-invalid:bg-rose-50 dark:aria-invalid:bg-rose-950/50";

/** What each field starts with: the default, as text (booleans as "true"/"false"). */
function initialValues(params: readonly TParamDeclaration[]): Record<string, string> {
  return Object.fromEntries(params.map((p) => [p.name, p.default === undefined ? "" : String(p.default)]));
}

/**
 * Asks for a run's parameters (render it only while open): a field per declared parameter,
 * defaults filled in, required ones marked. Values are checked as the server checks them
 * before anything is sent; what the server still refuses is shown here too.
 */
export function RunParamsDialog({
  params,
  pending,
  error,
  onRun,
  onClose,
}: {
  params: readonly TParamDeclaration[];
  pending: boolean;
  error: string | null;
  onRun: (values: Record<string, string | boolean>) => void;
  onClose: () => void;
}) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const baseId = useId();
  const [values, setValues] = useState(() => initialValues(params));
  const [problems, setProblems] = useState<Record<string, string>>({});

  useEffect(() => dialogRef.current?.showModal(), []);

  const submit = () => {
    // Blank fields are left out: the default, or nothing, as for any run.
    const given: Record<string, string | boolean> = {};
    for (const param of params) {
      const text = values[param.name] ?? "";
      if (text === "") continue;
      given[param.name] = param.type === "boolean" ? text === "true" : text;
    }
    const checked = resolveRunParams(params, given);
    if (!checked.ok) {
      setProblems(Object.fromEntries(checked.problems.map((p) => [p.name, p.message])));
      return;
    }
    setProblems({});
    onRun(given);
  };

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-full max-w-md rounded-xl border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
        className="flex flex-col gap-4 p-6"
      >
        <div>
          <h2 id={titleId} className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            Run with parameters
          </h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">The run records these values; settings read them as {"{{params.name}}"}.</p>
        </div>
        {params.map((param) => {
          const id = `${baseId}-${param.name}`;
          const problem = problems[param.name];
          const value = values[param.name] ?? "";
          const change = (text: string) => setValues((current) => ({ ...current, [param.name]: text }));
          const describedBy = [param.description ? `${id}-about` : null, problem ? `${id}-problem` : null].filter(Boolean).join(" ") || undefined;
          const common = { id, "aria-invalid": problem ? true : undefined, "aria-describedby": describedBy, "aria-required": param.required ? true : undefined };
          return (
            <div key={param.name} className="flex flex-col gap-1">
              <label htmlFor={id} className="flex items-baseline gap-2 text-sm font-medium text-slate-800 dark:text-slate-200">
                <span className="font-mono">{param.name}</span>
                {param.required ? <span className="text-xs font-normal text-rose-700 dark:text-rose-300">required</span> : <span className="text-xs font-normal text-slate-500 dark:text-slate-400">optional</span>}
              </label>
              {param.type === "boolean" ? (
                <select {...common} value={value} onChange={(e) => change(e.target.value)} className={`${inputClass} border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900`}>
                  <option value="">{param.required ? "Choose…" : "Not set"}</option>
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              ) : (
                <input
                  {...common}
                  type={param.type === "date" ? "date" : "text"}
                  inputMode={param.type === "number" ? "decimal" : undefined}
                  value={value}
                  placeholder={param.type === "number" ? "A number, e.g. 42" : undefined}
                  onChange={(e) => change(e.target.value)}
                  className={`${inputClass} border-slate-300 dark:border-slate-600`}
                />
              )}
              {param.description ? (
                <p id={`${id}-about`} className="text-xs text-slate-500 dark:text-slate-400">
                  {param.description}
                </p>
              ) : null}
              {problem ? (
                <p id={`${id}-problem`} className="text-xs text-rose-700 dark:text-rose-300">
                  {problem}
                </p>
              ) : null}
            </div>
          );
        })}
        {error ? (
          <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <button type="button" onClick={onClose} className={buttonStyles.secondary}>
            Cancel
          </button>
          <button type="submit" disabled={pending} className={buttonStyles.primary}>
            <span aria-hidden>▶</span> {pending ? "Starting…" : "Run"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
