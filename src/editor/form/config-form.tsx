"use client";

import { useId, useState, type ReactNode } from "react";
import type { Column } from "@/nodes/contract";
import { emptyItem, numberOrText, type FieldSpec } from "./fields";
import { useFormContext, type FieldPath } from "./field-context";
import { ExpressionInput } from "./expression-input";
import { UploadField } from "./upload-field";

const inputClass =
  "w-full rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2.5 py-1.5 text-sm text-slate-900 dark:text-slate-100 shadow-xs placeholder:text-slate-400 focus:border-sky-500 focus:outline-none aria-invalid:border-red-400";

/** How special characters in enums read in a select (a tab is invisible). */
const OPTION_LABELS: Record<string, string> = { ",": "Comma ( , )", ";": "Semicolon ( ; )", "\t": "Tab", "|": "Pipe ( | )", " ": "Space" };

function optionLabel(option: string): string {
  return OPTION_LABELS[option] ?? option;
}

function singular(title: string): string {
  return title.endsWith("s") ? title.slice(0, -1).toLowerCase() : title.toLowerCase();
}

/** Label, description and errors around one control; wires aria-describedby and aria-invalid. */
function FieldShell({
  spec,
  errors,
  children,
}: {
  spec: FieldSpec;
  errors: string[];
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}) {
  const id = useId();
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  const describedBy = [spec.description ? descriptionId : null, errors.length ? errorId : null].filter(Boolean).join(" ") || undefined;
  const inline = spec.kind === "toggle";
  return (
    <div className="space-y-1">
      {inline ? (
        <div className="flex items-center justify-between gap-3">
          <label htmlFor={id} className="text-sm font-medium text-slate-700 dark:text-slate-300">
            {spec.title}
          </label>
          {children({ id, describedBy, invalid: errors.length > 0 })}
        </div>
      ) : (
        <>
          <label htmlFor={id} className="block text-sm font-medium text-slate-700 dark:text-slate-300">
            {spec.title}
            {spec.required ? <span className="text-red-600 dark:text-red-400" aria-hidden> *</span> : null}
          </label>
          {children({ id, describedBy, invalid: errors.length > 0 })}
        </>
      )}
      {spec.description ? (
        <p id={descriptionId} className="text-xs text-slate-500 dark:text-slate-400">
          {spec.description}
        </p>
      ) : null}
      {errors.length ? (
        <div id={errorId} className="space-y-0.5">
          {errors.map((e, i) => (
            <p key={i} className="text-xs text-red-700 dark:text-red-300">
              {e}
            </p>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function ColumnSelect({ spec, value, columns, id, describedBy, invalid, onChange }: {
  spec: FieldSpec;
  value: unknown;
  columns: Column[] | undefined;
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
  onChange: (value: string | undefined) => void;
}) {
  const current = typeof value === "string" ? value : "";
  if (!columns || columns.length === 0) {
    return (
      <input
        id={id}
        type="text"
        value={current}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        placeholder="Column name (connect an input to pick from a list)"
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
        className={inputClass}
      />
    );
  }
  const missing = current !== "" && !columns.some((c) => c.name === current);
  return (
    <select
      id={id}
      value={current}
      aria-describedby={describedBy}
      aria-invalid={invalid || missing || undefined}
      onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
      className={inputClass}
    >
      <option value="">{spec.required ? "Choose a column…" : "—"}</option>
      {missing ? <option value={current}>{current} (not in the input)</option> : null}
      {columns.map((c) => (
        <option key={c.name} value={c.name}>
          {c.name} · {c.type}
        </option>
      ))}
    </select>
  );
}

function ColumnsPicker({ value, columns, onChange, label }: { value: unknown; columns: Column[] | undefined; onChange: (v: string[]) => void; label: string }) {
  const chosen = Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  const [text, setText] = useState(chosen.join(", "));
  if (!columns || columns.length === 0) {
    return (
      <input
        type="text"
        aria-label={label}
        value={text}
        placeholder="Comma-separated column names"
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value.split(",").map((s) => s.trim()).filter(Boolean));
        }}
        className={inputClass}
      />
    );
  }
  const toggle = (name: string) => onChange(chosen.includes(name) ? chosen.filter((c) => c !== name) : [...chosen, name]);
  return (
    <div role="group" aria-label={label} className="max-h-44 space-y-0.5 overflow-y-auto rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 p-1.5">
      {[...columns.map((c) => c.name), ...chosen.filter((c) => !columns.some((col) => col.name === c))].map((name) => {
        const column = columns.find((c) => c.name === name);
        return (
          <label key={name} className="flex items-center gap-2 rounded px-1.5 py-0.5 text-sm hover:bg-slate-50 dark:hover:bg-slate-800">
            <input type="checkbox" checked={chosen.includes(name)} onChange={() => toggle(name)} className="accent-sky-600" />
            <span className={column ? "text-slate-800 dark:text-slate-200" : "text-red-700 dark:text-red-300"}>{name}</span>
            <span className="ml-auto text-xs text-slate-400">{column ? column.type : "not in the input"}</span>
          </label>
        );
      })}
    </div>
  );
}

function ValuesInput({ value, numbers, label, onChange }: { value: unknown; numbers: boolean; label: string; onChange: (v: unknown[] | undefined) => void }) {
  const values = Array.isArray(value) ? value : [];
  const [draft, setDraft] = useState("");
  const add = () => {
    if (draft.trim() === "") return;
    const next = numbers ? numberOrText(draft) : draft.trim();
    if (next === undefined) return;
    onChange([...values, next]);
    setDraft("");
  };
  return (
    <div className="space-y-1.5">
      {values.length ? (
        <ul aria-label={`${label} list`} className="flex flex-wrap gap-1">
          {values.map((v, i) => (
            <li key={`${String(v)}-${i}`} className="flex items-center gap-1 rounded-full bg-slate-100 dark:bg-slate-800 py-0.5 pr-1 pl-2 text-xs text-slate-700 dark:text-slate-300">
              {String(v)}
              <button
                type="button"
                aria-label={`Remove ${String(v)}`}
                onClick={() => onChange(values.length > 1 ? values.filter((_, j) => j !== i) : undefined)}
                className="rounded-full px-1 text-slate-500 dark:text-slate-400 hover:bg-slate-200 dark:hover:bg-slate-700 hover:text-slate-900 dark:hover:text-slate-100"
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="flex gap-1.5">
        <input
          type="text"
          aria-label={`Add to ${label}`}
          value={draft}
          placeholder="Type a value, press Enter"
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              add();
            }
          }}
          className={inputClass}
        />
        <button type="button" onClick={add} className="rounded-md border border-slate-300 dark:border-slate-600 px-2.5 text-sm text-slate-700 dark:text-slate-300 hover:bg-slate-50 dark:hover:bg-slate-800">
          Add
        </button>
      </div>
    </div>
  );
}

function ColumnTypes({ value, columns, types, label, onChange }: {
  value: unknown;
  columns: Column[] | undefined;
  types: string[];
  label: string;
  onChange: (v: Record<string, string> | undefined) => void;
}) {
  const overrides = typeof value === "object" && value !== null ? (value as Record<string, string>) : {};
  const names = [...new Set([...(columns ?? []).map((c) => c.name), ...Object.keys(overrides)])];
  if (names.length === 0) return <p className="text-xs text-slate-500 dark:text-slate-400">Upload a file to see its columns.</p>;
  const set = (name: string, type: string) => {
    const { [name]: _old, ...rest } = overrides;
    const next = type === "" ? rest : { ...rest, [name]: type };
    onChange(Object.keys(next).length ? next : undefined);
  };
  return (
    <div>
      <p className="mb-1 text-xs text-slate-500 dark:text-slate-400">
        Inferred types come from a sample: the file&apos;s first megabyte. A column is a number only when every sampled value
        reads back exactly, so codes with leading zeros, a +, separators or more than 15 digits stay text. A later value that
        does not fit its inferred type goes to quarantine; it is never changed.
      </p>
      <table aria-label={label} className="w-full text-sm">
        <tbody>
          {names.map((name) => {
            const inferred = columns?.find((c) => c.name === name)?.type;
            return (
              <tr key={name} className="border-b border-slate-100 dark:border-slate-800 last:border-0">
                <td className="truncate py-1 pr-2 font-mono text-xs text-slate-700 dark:text-slate-300">{name}</td>
                <td className="py-1">
                  <select
                    aria-label={`Type of ${name}`}
                    value={overrides[name] ?? ""}
                    onChange={(e) => set(name, e.target.value)}
                    className="w-full rounded border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-1.5 py-0.5 text-xs"
                  >
                    <option value="">{inferred ? `${inferred} (inferred)` : "inferred"}</option>
                    {types.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function JsonInput({ value, id, describedBy, onChange }: { value: unknown; id: string; describedBy: string | undefined; onChange: (v: unknown) => void }) {
  const [text, setText] = useState(value === undefined ? "" : JSON.stringify(value, null, 2));
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <textarea
        id={id}
        rows={4}
        value={text}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === "") {
            setError(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setError(null);
          } catch (err) {
            setError(`Not valid JSON yet: ${(err as Error).message}`);
          }
        }}
        className={`${inputClass} font-mono text-xs`}
      />
      {error ? <p className="text-xs text-red-700 dark:text-red-300">{error}</p> : null}
    </>
  );
}

function ObjectField({ spec, path, value }: { spec: Extract<FieldSpec, { kind: "object" }>; path: FieldPath; value: unknown }) {
  const form = useFormContext();
  const present = typeof value === "object" && value !== null;
  const errors = form.errorsAt(path);
  return (
    <fieldset className="space-y-3 rounded-md border border-slate-200 dark:border-slate-700 p-3">
      <legend className="px-1 text-sm font-medium text-slate-700 dark:text-slate-300">{spec.title}</legend>
      {spec.description ? <p className="-mt-1 text-xs text-slate-500 dark:text-slate-400">{spec.description}</p> : null}
      {present || spec.required ? (
        <>
          {spec.fields.map((field) => (
            <Field key={field.key} spec={field} path={[...path, field.key]} value={present ? (value as Record<string, unknown>)[field.key] : undefined} />
          ))}
          {!spec.required ? (
            <button type="button" onClick={() => form.change(path, undefined)} className="text-xs text-slate-600 dark:text-slate-300 underline hover:text-slate-900 dark:hover:text-slate-100">
              Remove {spec.title.toLowerCase()}
            </button>
          ) : null}
        </>
      ) : (
        <button
          type="button"
          onClick={() => form.change(path, {})}
          className="rounded-md border border-dashed border-slate-300 dark:border-slate-600 px-2.5 py-1 text-sm text-slate-600 dark:text-slate-300 hover:border-slate-400 dark:hover:border-slate-500 hover:text-slate-900 dark:hover:text-slate-100"
        >
          + Add {spec.title.toLowerCase()}
        </button>
      )}
      {errors.map((e, i) => (
        <p key={i} className="text-xs text-red-700 dark:text-red-300">
          {e}
        </p>
      ))}
    </fieldset>
  );
}

/** The first text a list item has, to name it in its header (a rule's field). */
function itemSummary(item: unknown): string | undefined {
  if (typeof item !== "object" || item === null) return typeof item === "string" ? item : undefined;
  return Object.values(item).find((v): v is string => typeof v === "string" && v !== "");
}

function ListField({ spec, path, value }: { spec: Extract<FieldSpec, { kind: "list" }>; path: FieldPath; value: unknown }) {
  const form = useFormContext();
  const items = Array.isArray(value) ? value : [];
  const noun = singular(spec.title);
  const errors = form.errorsAt(path);
  const move = (from: number, to: number) => {
    const next = [...items];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved);
    form.change(path, next);
  };
  return (
    <section aria-label={spec.title} className="space-y-2">
      <div>
        <h4 className="text-sm font-medium text-slate-700 dark:text-slate-300">
          {spec.title}
          {spec.required ? <span className="text-red-600 dark:text-red-400" aria-hidden> *</span> : null}
        </h4>
        {spec.description ? <p className="text-xs text-slate-500 dark:text-slate-400">{spec.description}</p> : null}
      </div>
      {items.length === 0 ? <p className="rounded-md bg-slate-50 dark:bg-slate-950 px-3 py-2 text-xs text-slate-500 dark:text-slate-400">No {spec.title.toLowerCase()} yet.</p> : null}
      {items.map((item, index) => {
        const name = `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${index + 1}`;
        const summary = itemSummary(item);
        return (
          <div key={index} role="group" aria-label={name} className="rounded-md border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900">
            <div className="flex items-center gap-1 border-b border-slate-100 dark:border-slate-800 bg-slate-50 dark:bg-slate-950 px-2.5 py-1.5">
              <span className="min-w-0 flex-1 truncate text-xs font-medium text-slate-600 dark:text-slate-300">
                {name}
                {summary ? <span className="font-normal text-slate-500 dark:text-slate-400"> · {summary}</span> : null}
              </span>
              <button type="button" aria-label={`Move ${name} up`} disabled={index === 0} onClick={() => move(index, index - 1)} className="rounded px-1.5 text-slate-500 dark:text-slate-400 hover:bg-slate-200 dark:hover:bg-slate-700 disabled:opacity-30">
                ↑
              </button>
              <button type="button" aria-label={`Move ${name} down`} disabled={index === items.length - 1} onClick={() => move(index, index + 1)} className="rounded px-1.5 text-slate-500 dark:text-slate-400 hover:bg-slate-200 dark:hover:bg-slate-700 disabled:opacity-30">
                ↓
              </button>
              <button type="button" aria-label={`Remove ${name}`} onClick={() => form.change(path, items.filter((_, j) => j !== index))} className="rounded px-1.5 text-slate-500 dark:text-slate-400 hover:bg-red-100 dark:hover:bg-red-900 hover:text-red-700 dark:hover:text-red-300">
                ×
              </button>
            </div>
            <div className="space-y-3 p-2.5">
              {spec.item.kind === "object" ? (
                spec.item.fields.map((field) => (
                  <Field
                    key={field.key}
                    spec={field}
                    path={[...path, index, field.key]}
                    value={typeof item === "object" && item !== null ? (item as Record<string, unknown>)[field.key] : undefined}
                  />
                ))
              ) : (
                <Field spec={{ ...spec.item, title: name }} path={[...path, index]} value={item} />
              )}
            </div>
          </div>
        );
      })}
      <button
        type="button"
        onClick={() => form.change(path, [...items, emptyItem(spec.item)])}
        className="w-full rounded-md border border-dashed border-slate-300 dark:border-slate-600 py-1.5 text-sm text-slate-600 dark:text-slate-300 hover:border-sky-400 hover:bg-sky-50 dark:hover:bg-sky-950/50 hover:text-sky-800 dark:hover:text-sky-200"
      >
        + Add {noun}
      </button>
      {errors.map((e, i) => (
        <p key={i} className="text-xs text-red-700 dark:text-red-300">
          {e}
        </p>
      ))}
    </section>
  );
}

/** One config field, drawn from its spec. */
export function Field({ spec, path, value }: { spec: FieldSpec; path: FieldPath; value: unknown }) {
  const form = useFormContext();
  const errors = form.errorsAt(path);
  const set = (v: unknown) => form.change(path, v);

  switch (spec.kind) {
    case "object":
      return <ObjectField spec={spec} path={path} value={value} />;
    case "list":
      return <ListField spec={spec} path={path} value={value} />;
    case "upload":
      return (
        <UploadField label={spec.title} value={value} errors={errors} onChange={set} {...(spec.description ? { description: spec.description } : {})} />
      );
    default:
      break;
  }

  return (
    <FieldShell spec={spec} errors={errors}>
      {({ id, describedBy, invalid }) => {
        const common = { id, "aria-describedby": describedBy, "aria-invalid": invalid || undefined };
        switch (spec.kind) {
          case "text":
          case "table":
            return (
              <input
                {...common}
                type="text"
                value={typeof value === "string" ? value : ""}
                placeholder={typeof spec.default === "string" ? spec.default : undefined}
                maxLength={spec.kind === "text" ? spec.maxLength : undefined}
                onChange={(e) => set(e.target.value === "" ? undefined : e.target.value)}
                className={inputClass}
              />
            );
          case "number":
            return (
              <input
                {...common}
                type="number"
                inputMode={spec.integer ? "numeric" : "decimal"}
                step={spec.integer ? 1 : "any"}
                min={spec.minimum}
                max={spec.maximum}
                value={typeof value === "number" ? value : ""}
                placeholder={typeof spec.default === "number" ? String(spec.default) : undefined}
                onChange={(e) => set(e.target.value === "" ? undefined : Number(e.target.value))}
                className={inputClass}
              />
            );
          case "number-or-text":
            return (
              <NumberOrText common={common} value={value} onChange={set} />
            );
          case "select":
            return (
              <select {...common} value={typeof value === "string" ? value : typeof spec.default === "string" ? spec.default : ""} onChange={(e) => set(e.target.value === "" ? undefined : e.target.value)} className={inputClass}>
                {spec.default === undefined ? <option value="">{spec.required ? "Choose…" : "Not set"}</option> : null}
                {spec.options.map((o) => (
                  <option key={o} value={o}>
                    {optionLabel(o)}
                  </option>
                ))}
              </select>
            );
          case "toggle": {
            const checked = typeof value === "boolean" ? value : spec.default === true;
            return (
              <input
                {...common}
                type="checkbox"
                role="switch"
                checked={checked}
                onChange={(e) => set(e.target.checked)}
                className="h-4 w-4 accent-sky-600"
              />
            );
          }
          case "tristate":
            return (
              <select
                {...common}
                value={value === true ? "yes" : value === false ? "no" : ""}
                onChange={(e) => set(e.target.value === "" ? undefined : e.target.value === "yes")}
                className={inputClass}
              >
                <option value="">Not set</option>
                <option value="yes">Yes</option>
                <option value="no">No</option>
              </select>
            );
          case "column":
            return <ColumnSelect spec={spec} value={value} columns={form.columns(spec.port)} id={id} describedBy={describedBy} invalid={invalid} onChange={set} />;
          case "columns":
            return <ColumnsPicker value={value} columns={form.columns(spec.port)} label={spec.title} onChange={set} />;
          case "expression":
            return <ExpressionInput {...common} value={typeof value === "string" ? value : ""} columns={form.columns(spec.port)} params={form.params} onChange={(v) => set(v === "" ? undefined : v)} />;
          case "column-types":
            return <ColumnTypes value={value} columns={form.columns(spec.port)} types={spec.types} label={spec.title} onChange={set} />;
          case "values":
            return <ValuesInput value={value} numbers={spec.numbers} label={spec.title} onChange={set} />;
          case "json":
            return <JsonInput value={value} id={id} describedBy={describedBy} onChange={set} />;
        }
      }}
    </FieldShell>
  );
}

function NumberOrText({ common, value, onChange }: { common: { id: string; "aria-describedby": string | undefined; "aria-invalid": true | undefined }; value: unknown; onChange: (v: unknown) => void }) {
  // Local text keeps what was typed ("1." or "0010") while the config holds the parsed value.
  const [text, setText] = useState(value === undefined ? "" : String(value));
  return (
    <input
      {...common}
      type="text"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(numberOrText(e.target.value));
      }}
      className={inputClass}
    />
  );
}
