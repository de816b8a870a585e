import type { TRequestContext } from "../context";
import type { Endpoint } from "./endpoint";
import { ApiError, notFound } from "./errors";
import { errorResponse, internalErrorResponse } from "./respond";

interface CompiledPath {
  segments: ({ literal: string } | { param: string })[];
  /** Literal segments count: `/quarantine/reingest` beats `/quarantine/:id`. */
  specificity: number;
}

export function compilePath(path: string): CompiledPath {
  const segments = path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => (s.startsWith(":") ? { param: s.slice(1) } : { literal: s }));
  return { segments, specificity: segments.filter((s) => "literal" in s).length };
}

/** The decoded parameters when `pathname` (relative to the API base) fits `compiled`, else null. */
export function matchPath(compiled: CompiledPath, parts: readonly string[]): Record<string, string> | null {
  if (parts.length !== compiled.segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of compiled.segments.entries()) {
    const part = parts[i] ?? "";
    if ("literal" in segment) {
      if (part !== segment.literal) return null;
    } else {
      if (part === "") return null;
      params[segment.param] = part;
    }
  }
  return params;
}

function splitPath(pathname: string): string[] | null {
  try {
    return pathname
      .split("/")
      .filter((s) => s !== "")
      .map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

export interface RouterOptions {
  /** Where the API is mounted, e.g. `/api/v1`. */
  basePath: string;
  endpoints: readonly Endpoint[];
  authenticate: (request: Request) => Promise<TRequestContext>;
  /** Turns errors thrown by services into API errors; unknown errors return undefined (→ 500). */
  mapError: (error: unknown) => ApiError | undefined;
}

/** One function answering every request under `basePath` from the endpoint table. */
export function createRouter(options: RouterOptions): (request: Request) => Promise<Response> {
  const routes = options.endpoints.map((endpoint) => ({ endpoint, compiled: compilePath(endpoint.path) }));
  const seen = new Set<string>();
  for (const { endpoint } of routes) {
    const key = `${endpoint.method} ${endpoint.path}`;
    if (seen.has(key)) throw new Error(`Endpoint ${key} is declared twice`);
    seen.add(key);
  }

  return async (request) => {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const where = `${method} ${url.pathname}`;
    try {
      if (!url.pathname.startsWith(options.basePath)) throw notFound(`No API endpoint at ${url.pathname}`);
      const parts = splitPath(url.pathname.slice(options.basePath.length));
      if (parts === null) throw notFound(`No API endpoint at ${url.pathname}`);
      const matches = routes
        .map((route) => ({ ...route, params: matchPath(route.compiled, parts) }))
        .filter((m) => m.params !== null);
      const best = Math.max(...matches.map((m) => m.compiled.specificity));
      const candidates = matches.filter((m) => m.compiled.specificity === best);
      if (candidates.length === 0) throw notFound(`No API endpoint at ${url.pathname}; the list is at ${options.basePath}/openapi.json`);
      const chosen = candidates.find((m) => m.endpoint.method === method);
      if (!chosen || chosen.params === null) {
        const allowed = candidates.map((m) => m.endpoint.method).join(", ");
        throw new ApiError(405, "method_not_allowed", `${method} is not allowed on ${url.pathname}; use ${allowed}`, {}, { allow: allowed });
      }
      return await chosen.endpoint.invoke({ request, params: chosen.params, authenticate: options.authenticate });
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error);
      const mapped = options.mapError(error);
      if (mapped) return errorResponse(mapped);
      return internalErrorResponse(error, where);
    }
  };
}
