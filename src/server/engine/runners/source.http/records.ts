/** Finding values in a JSON body by dot path (`data.items`, `meta.next`, `results.0.id`). */
import { HttpSourceError } from "./errors";

/** The value at `path` (segments split on "."; a number segment indexes an array), or undefined where the path leads nowhere. */
export function readPath(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const segment of path.split(".")) {
    if (Array.isArray(at) && /^\d+$/.test(segment)) at = at[Number(segment)];
    else if (typeof at === "object" && at !== null && !Array.isArray(at) && Object.hasOwn(at, segment)) at = (at as Record<string, unknown>)[segment];
    else return undefined;
  }
  return at;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function arrayFieldsOf(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  return Object.entries(value).filter(([, v]) => Array.isArray(v)).map(([k]) => k);
}

/** The records array of a page body; `where` names the request in the error when there is none. */
export function recordsAt(body: unknown, path: string, where: string): unknown[] {
  const found = path === "" ? body : readPath(body, path);
  if (Array.isArray(found)) return found;
  const arrays = arrayFieldsOf(path === "" ? body : found);
  const hint = arrays.length > 0 ? ` Its array fields: ${arrays.map((a) => (path === "" ? a : `${path}.${a}`)).join(", ")}.` : "";
  if (path === "") throw new HttpSourceError(`${where}: the body is ${kindOf(body)}, not an array of records. Set the records path to the array inside it.${hint}`);
  if (found === undefined) {
    const keys = typeof body === "object" && body !== null && !Array.isArray(body) ? ` The body's top-level fields: ${Object.keys(body).slice(0, 20).join(", ") || "none"}.` : "";
    throw new HttpSourceError(`${where}: the records path "${path}" is not in the body.${keys}`);
  }
  throw new HttpSourceError(`${where}: the records path "${path}" is ${kindOf(found)}, not an array of records.${hint}`);
}
