"use client";

import { useMemo } from "react";
import type { Column } from "@/nodes/contract";
import { compileExpression, type ExpressionError } from "@/nodes/expression/expression";
import { expressionAtDesignTime, type TParamDeclaration } from "@/nodes/params";

const inputClass =
  "w-full rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2.5 py-1.5 font-mono text-sm text-slate-900 dark:text-slate-100 focus:border-sky-500 focus:outline-none aria-invalid:border-red-400";

/** The erroneous line with a marker under the problem, like a compiler prints it. */
function ErrorAt({ text, error }: { text: string; error: ExpressionError }) {
  const line = text.split("\n")[error.line - 1] ?? "";
  const start = Math.max(0, error.column - 1);
  const width = Math.max(1, Math.min(error.length, line.length - start));
  return (
    <div className="rounded-md bg-red-50 dark:bg-red-950/50 px-2 py-1.5 text-xs">
      <pre className="overflow-x-auto font-mono leading-4 text-slate-800 dark:text-slate-200">
        {line}
        {"\n"}
        <span className="text-red-600 dark:text-red-400">{" ".repeat(start) + "^" + "~".repeat(width - 1)}</span>
      </pre>
      <p className="mt-1 text-red-800 dark:text-red-200">
        {error.message} <span className="text-red-600/80 dark:text-red-400/80">(line {error.line}, column {error.column})</span>
      </p>
    </div>
  );
}

/**
 * An expression editor. The expression is checked in the browser as it is typed (the same
 * compiler the server runs), once the input's columns are known.
 */
export function ExpressionInput({ id, value, columns, params, onChange, ...aria }: {
  id: string;
  value: string;
  columns: Column[] | undefined;
  /** Declared run parameters: `{{params.name}}` is checked as the typed value a run puts there. */
  params: readonly TParamDeclaration[];
  onChange: (value: string) => void;
  "aria-describedby": string | undefined;
  "aria-invalid": true | undefined;
}) {
  // Positions in the errors are in the resolved text, so that is the text they are shown in.
  const checked = useMemo(() => expressionAtDesignTime(value, params), [value, params]);
  const errors = useMemo(() => {
    if (!columns || checked === null || checked.trim() === "") return [];
    const compiled = compileExpression(checked, columns);
    return compiled.ok ? [] : compiled.errors;
  }, [checked, columns]);
  return (
    <>
      <textarea
        id={id}
        rows={3}
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className={inputClass}
        {...aria}
        aria-invalid={aria["aria-invalid"] ?? (errors.length > 0 || undefined)}
      />
      {errors.length ? (
        <div role="alert" aria-label="Expression errors" className="space-y-1">
          {errors.map((error, i) => (
            <ErrorAt key={i} text={checked ?? value} error={error} />
          ))}
        </div>
      ) : null}
      {columns && columns.length ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Columns: <span className="font-mono">{columns.map((c) => c.name).join(", ")}</span>
        </p>
      ) : null}
    </>
  );
}
