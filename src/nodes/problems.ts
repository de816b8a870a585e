/**
 * Problem wording for people: graph checking writes "<node>: <path>: <message>" so a log or
 * an API answer names where; a form field or a node's own preview already shows where.
 */
import { z } from "zod";

interface TitledSchema {
  title?: string;
  properties?: Record<string, TitledSchema>;
  items?: TitledSchema;
  additionalProperties?: TitledSchema | boolean;
  anyOf?: TitledSchema[];
  oneOf?: TitledSchema[];
}

const schemas = new WeakMap<z.ZodType, TitledSchema>();

function jsonSchemaOf(config: z.ZodType): TitledSchema {
  let schema = schemas.get(config);
  if (!schema) {
    schema = z.toJSONSchema(config, { io: "input", unrepresentable: "any" }) as TitledSchema;
    schemas.set(config, schema);
  }
  return schema;
}

function child(schema: TitledSchema, key: string | number): TitledSchema | undefined {
  if (typeof key === "number") return schema.items;
  if (schema.properties?.[key]) return schema.properties[key];
  // A union (pagination by type): the alternative that has the setting.
  for (const alternative of schema.anyOf ?? schema.oneOf ?? []) {
    const found = child(alternative, key);
    if (found) return found;
  }
  return typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
}

/** "minLength" → "Min length". */
export function humanizeKey(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The title a config form shows for the setting at `path` (its `.meta({ title })`, else its key in words). */
export function settingTitle(config: z.ZodType, path: readonly (string | number)[]): string {
  let schema: TitledSchema | undefined = jsonSchemaOf(config);
  for (const key of path) schema = schema ? child(schema, key) : undefined;
  const last = [...path].reverse().find((key): key is string => typeof key === "string");
  return schema?.title ?? humanizeKey(last ?? "setting");
}

/**
 * A config issue in a person's words: zod says a missing setting is a type error
 * ("expected string, received undefined"); a person reads "URL is required".
 */
export function configIssueMessage(config: z.ZodType, issue: z.core.$ZodIssue, path: readonly (string | number)[]): string {
  if (issue.code === "invalid_type" && / received undefined$/.test(issue.message) && path.length > 0) return `${settingTitle(config, path)} is required`;
  return issue.message;
}

/** A problem's message without the "<nodeId>: <path>: " prefix graph checking puts in front. */
export function problemText(problem: { nodeId?: string; path: readonly (string | number)[]; message: string }): string {
  let text = problem.message;
  if (problem.nodeId && text.startsWith(`${problem.nodeId}: `)) text = text.slice(problem.nodeId.length + 2);
  const path = problem.path.join(".");
  if (path && text.startsWith(`${path}: `)) text = text.slice(path.length + 2);
  return text;
}
