/**
 * Turns a node's config schema (as `z.toJSONSchema(config, { io: "input" })` writes it,
 * with `.meta()` titles, descriptions and widgets) into a list of form fields. This is
 * the only place that knows how a schema becomes a form: no node type has its own form.
 */
import { z } from "zod";
import type { ConfigWidget } from "@/nodes/contract";

/** The subset of JSON Schema that zod writes for node configs. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  title?: string;
  description?: string;
  widget?: ConfigWidget;
  port?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
}

interface FieldBase {
  key: string;
  title: string;
  description?: string;
  required: boolean;
  default?: unknown;
}

export type FieldSpec = FieldBase &
  (
    | { kind: "text"; maxLength?: number }
    | { kind: "number"; integer: boolean; minimum?: number; maximum?: number }
    /** A number when it reads as one, text otherwise (bounds that are numbers or dates). */
    | { kind: "number-or-text" }
    | { kind: "select"; options: string[] }
    | { kind: "toggle" }
    /** An optional flag without a default: "not set" differs from "no" (e.g. "detect from the file"). */
    | { kind: "tristate" }
    | { kind: "column"; port?: string }
    | { kind: "columns"; port?: string }
    | { kind: "expression"; port?: string }
    | { kind: "upload" }
    | { kind: "table" }
    | { kind: "column-types"; types: string[]; port?: string }
    /** A list of single values (numbers when the schema only allows numbers). */
    | { kind: "values"; numbers: boolean }
    | { kind: "object"; fields: FieldSpec[] }
    | { kind: "list"; item: FieldSpec; minItems?: number }
    /** Anything the form cannot draw: edited as JSON text. */
    | { kind: "json" }
  );

export type FieldKind = FieldSpec["kind"];

/** "minLength" → "Min length", "unknown_fields" → "Unknown fields". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function typesOf(schema: JsonSchema): string[] {
  // A null alternative only means "may be left out" to the form.
  if (Array.isArray(schema.type)) return schema.type.filter((t) => t !== "null");
  if (schema.type) return [schema.type];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.flatMap(typesOf);
  if (schema.enum) return [...new Set(schema.enum.map((v) => typeof v))];
  return [];
}

/** Drops `null` alternatives: an optional value is simply left out. */
function unwrap(schema: JsonSchema): JsonSchema {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (!alternatives) return schema;
  const rest = alternatives.filter((a) => !(a.type === "null" || a.const === null));
  if (rest.length !== 1) return schema;
  const { anyOf: _a, oneOf: _o, ...outer } = schema;
  return { ...rest[0], ...outer };
}

export function fieldFor(key: string, raw: JsonSchema, required: boolean): FieldSpec {
  const schema = unwrap(raw);
  const base: FieldBase = {
    key,
    title: schema.title ?? humanize(key),
    required,
    ...(schema.description !== undefined ? { description: schema.description } : {}),
    ...(schema.default !== undefined ? { default: schema.default } : {}),
  };
  const port = schema.port !== undefined ? { port: schema.port } : {};
  switch (schema.widget) {
    case "column":
      return { ...base, kind: "column", ...port };
    case "columns":
      return { ...base, kind: "columns", ...port };
    case "expression":
      return { ...base, kind: "expression", ...port };
    case "upload":
      return { ...base, kind: "upload" };
    case "table":
      return { ...base, kind: "table" };
    case "column-types": {
      const value = typeof schema.additionalProperties === "object" ? schema.additionalProperties : {};
      return { ...base, kind: "column-types", types: (value.enum ?? []).map(String), ...port };
    }
    case undefined:
      break;
  }
  const types = typesOf(schema);
  if (schema.enum && schema.enum.every((v) => typeof v === "string")) {
    return { ...base, kind: "select", options: schema.enum.map(String) };
  }
  if (types.length === 1 && types[0] === "boolean") {
    return { ...base, kind: required || schema.default !== undefined ? "toggle" : "tristate" };
  }
  if (types.length === 1 && (types[0] === "integer" || types[0] === "number")) {
    return {
      ...base,
      kind: "number",
      integer: types[0] === "integer",
      ...(schema.minimum !== undefined ? { minimum: schema.minimum } : {}),
      // zod writes Number.MAX_SAFE_INTEGER for "no maximum" on ints.
      ...(schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? { maximum: schema.maximum } : {}),
    };
  }
  if (types.length === 1 && types[0] === "string") {
    return { ...base, kind: "text", ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}) };
  }
  if (types.length === 2 && types.includes("string") && (types.includes("number") || types.includes("integer"))) {
    return { ...base, kind: "number-or-text" };
  }
  if (types.length === 1 && types[0] === "object" && schema.properties) {
    return { ...base, kind: "object", fields: fieldsOf(schema) };
  }
  if (types.length === 1 && types[0] === "array" && schema.items) {
    const item = unwrap(schema.items);
    const itemTypes = typesOf(item);
    const minItems = schema.minItems !== undefined ? { minItems: schema.minItems } : {};
    if (itemTypes.length > 0 && itemTypes.every((t) => t === "string" || t === "number" || t === "integer" || t === "boolean") && !item.enum) {
      return { ...base, kind: "values", numbers: itemTypes.every((t) => t === "number" || t === "integer"), ...minItems };
    }
    return { ...base, kind: "list", item: fieldFor("item", item, true), ...minItems };
  }
  return { ...base, kind: "json" };
}

/** The fields of an object schema, in declaration order. */
export function fieldsOf(schema: JsonSchema): FieldSpec[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([key, property]) => fieldFor(key, property, required.has(key)));
}

const cache = new WeakMap<z.ZodType, FieldSpec[]>();

/** The form fields of a node's config schema (computed once per schema). */
export function configFields(config: z.ZodType): FieldSpec[] {
  let fields = cache.get(config);
  if (!fields) {
    // "any" for parts JSON Schema cannot express (refinements, transforms): they become JSON fields.
    fields = fieldsOf(z.toJSONSchema(config, { io: "input", unrepresentable: "any" }) as JsonSchema);
    cache.set(config, fields);
  }
  return fields;
}

/** Reads text typed into a number-or-text field: "12" → 12, "2024-01-31" stays text, "" → undefined. */
export function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : text;
}

/** A copy of `target` with the value at `path` replaced; `undefined` removes the key (optional fields stay out of the JSON). */
export function setIn(target: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === "number") {
    const list = Array.isArray(target) ? [...(target as unknown[])] : [];
    list[head] = setIn(list[head], rest, value);
    return list;
  }
  const record: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  const next = setIn(record[head as string], rest, value);
  if (next === undefined) delete record[head as string];
  else record[head as string] = next;
  return record;
}

export function getIn(target: unknown, path: readonly (string | number)[]): unknown {
  let current = target;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A new, empty item for a list field: required toggles off, everything else left out. */
export function emptyItem(item: FieldSpec): unknown {
  if (item.kind === "object") return {};
  if (item.kind === "values" || item.kind === "list" || item.kind === "columns") return [];
  return item.default;
}
