import { z } from "zod";
import { roleAllows, roleRefusal, type TRole } from "../auth/roles";
import type { TRequestContext } from "../context";
import { readJsonBody } from "./body";
import { ApiError, badRequest, describeIssues, notFound } from "./errors";
import { jsonResponse } from "./respond";

export type THttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ResponseSpec {
  description: string;
  /** The body as the handler returns it; Dates and BigInts are written as ISO strings and numbers. */
  schema?: z.ZodType;
  /** A body that is not JSON (a CSV download): documented as a string of this media type. */
  mediaType?: string;
}
export type Responses = Record<number, ResponseSpec>;

/**
 * A request body. `json` bodies are read (at most `maxBytes`, default 1 MiB) and parsed
 * with `schema` before the handler runs; `multipart` bodies are left to the handler to
 * stream, the spec only documents the fields.
 */
export type BodySpec =
  | { kind: "json"; schema: z.ZodType; maxBytes?: number }
  | { kind: "multipart"; fields: Record<string, { description: string; file: boolean; required: boolean }> };

type BodyOf<B> = B extends { kind: "json"; schema: infer S extends z.ZodType } ? z.output<S> : undefined;
type OutputOf<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
type ResponseBody<S extends ResponseSpec> = S["schema"] extends z.ZodType ? z.input<S["schema"]> : undefined;

/** What a handler returns: one of the declared responses, or a ready Response. */
export type Reply<R extends Responses> = {
  [S in keyof R & number]: { status: S; body: ResponseBody<R[S]>; headers?: Record<string, string> };
}[keyof R & number];

/** A reply with its status kept as a literal, so it is checked against the declared response. */
export function reply<S extends number, B>(status: S, body: B, headers?: Record<string, string>): { status: S; body: B; headers?: Record<string, string> } {
  return { status, body, headers };
}

/** The least role an endpoint needs, or `public`: reachable without a token (it then checks its own secret, if any). */
export type TAccess = TRole | "public";

export interface HandlerArgs<A extends TAccess, P, Q, B> {
  /** The authenticated caller; public endpoints run without one. */
  ctx: A extends TRole ? TRequestContext : undefined;
  params: OutputOf<P>;
  query: OutputOf<Q>;
  body: BodyOf<B>;
  request: Request;
}

export interface EndpointSpec<A extends TAccess, P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends BodySpec | undefined, R extends Responses> {
  method: THttpMethod;
  /** Relative to the API base, `:name` for a path parameter: `/pipelines/:id`. */
  path: string;
  /** Where the path is mounted when not under the API base (webhook triggers live at `/api/hooks`): `/api`. */
  mountedAt?: string;
  summary: string;
  description?: string;
  tags: string[];
  role: A;
  /** What the path's id names ("Pipeline"), for the 404 a malformed id gets. */
  resource?: string;
  /** An object schema over the path parameters; a value it rejects answers 404, not 400, since no such resource can exist. */
  params?: P;
  /** An object schema over the query string (single values; use z.coerce for numbers). */
  query?: Q;
  body?: B;
  responses: R;
  handler: (args: HandlerArgs<A, P, Q, B>) => Promise<Reply<R> | Response>;
}

export interface InvokeArgs {
  request: Request;
  /** Decoded path parameters, by name. */
  params: Record<string, string>;
  authenticate: (request: Request) => Promise<TRequestContext>;
}

/** An endpoint with its types erased, as the router and the OpenAPI generator see it. */
export interface Endpoint {
  method: THttpMethod;
  path: string;
  mountedAt?: string;
  summary: string;
  description?: string;
  tags: string[];
  role: TAccess;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: BodySpec;
  responses: Responses;
  invoke(args: InvokeArgs): Promise<Response>;
}

async function parseParams(schema: z.ZodType | undefined, raw: Record<string, string>, resource: string | undefined): Promise<unknown> {
  if (!schema) return {};
  const parsed = await schema.safeParseAsync(raw);
  if (parsed.success) return parsed.data;
  const shown = Object.values(raw).join("/");
  throw notFound(resource ? `${resource} ${shown} does not exist` : `Nothing exists at this path: ${describeIssues(parsed.error.issues)}`);
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    out[key] = values.length === 1 && values[0] !== undefined ? values[0] : values;
  }
  return out;
}

async function parseQuery(schema: z.ZodType | undefined, url: URL): Promise<unknown> {
  if (!schema) return {};
  const parsed = await schema.safeParseAsync(queryObject(url));
  if (parsed.success) return parsed.data;
  throw badRequest(`Invalid query parameter ${describeIssues(parsed.error.issues)}`);
}

async function parseBody(spec: BodySpec | undefined, request: Request): Promise<unknown> {
  if (spec?.kind !== "json") return undefined;
  const raw = await readJsonBody(request, spec.maxBytes);
  const parsed = await spec.schema.safeParseAsync(raw);
  if (parsed.success) return parsed.data;
  throw badRequest(`Invalid request body: ${describeIssues(parsed.error.issues)}`);
}

async function authorize(request: Request, authenticate: InvokeArgs["authenticate"], needed: TRole): Promise<TRequestContext> {
  const ctx = await authenticate(request);
  if (!roleAllows(ctx.role, needed)) throw new ApiError(403, "forbidden", roleRefusal(ctx.role, needed));
  return ctx;
}

/**
 * Declares an endpoint. The returned object parses and checks every input with the
 * declared schemas before the handler runs, so the handler only sees valid, typed values
 * and the OpenAPI document cannot drift from what is enforced.
 */
export function defineEndpoint<
  A extends TAccess,
  R extends Responses,
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends BodySpec | undefined = undefined,
>(spec: EndpointSpec<A, P, Q, B, R>): Endpoint {
  return {
    method: spec.method,
    path: spec.path,
    mountedAt: spec.mountedAt,
    summary: spec.summary,
    description: spec.description,
    tags: spec.tags,
    role: spec.role,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    responses: spec.responses,
    async invoke({ request, params, authenticate }) {
      // Authentication first: an anonymous caller learns nothing, not even which ids are malformed.
      const ctx = spec.role === "public" ? undefined : await authorize(request, authenticate, spec.role);
      const args = {
        ctx,
        params: await parseParams(spec.params, params, spec.resource),
        query: await parseQuery(spec.query, new URL(request.url)),
        body: await parseBody(spec.body, request),
        request,
      };
      // The parsers above applied exactly the schemas HandlerArgs is typed from; TypeScript cannot follow that through `unknown`.
      const reply = await spec.handler(args as HandlerArgs<A, P, Q, B>);
      if (reply instanceof Response) return reply;
      return jsonResponse(reply.status, reply.body, reply.headers);
    },
  };
}

/** A schema for `:id` path parameters that are uuids. */
export const ZUuidParams = z.object({ id: z.uuid() });
