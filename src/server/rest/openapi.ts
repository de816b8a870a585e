import { z } from "zod";
import type { Endpoint } from "./endpoint";

type JsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * Dates and BigInts have no JSON Schema of their own; on the wire the API writes them as
 * ISO strings and numbers (see respond.ts), so that is what the document says.
 */
const wireForm: z.core.UnrepresentableHandler = ({ zodSchema }) => {
  const type = zodSchema._zod.def.type;
  if (type === "date") return { type: "string", format: "date-time" };
  if (type === "bigint") return { type: "integer", format: "int64" };
  return undefined;
};

function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: wireForm });
  return rest;
}

/** Path and query parameters, one entry per property of the object schema. */
function parametersOf(schema: z.ZodType | undefined, location: "path" | "query"): Record<string, unknown>[] {
  if (!schema) return [];
  const json = schemaOf(schema, "input");
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = typeof property === "object" ? property : {};
    return { name, in: location, required: location === "path" || required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

function requestBodyOf(endpoint: Endpoint): Record<string, unknown> | undefined {
  const body = endpoint.body;
  if (!body) return undefined;
  if (body.kind === "json") return { required: true, content: { "application/json": { schema: schemaOf(body.schema, "input") } } };
  const properties = Object.fromEntries(
    Object.entries(body.fields).map(([name, field]) => [
      name,
      field.file ? { type: "string", contentMediaType: "application/octet-stream", description: field.description } : { type: "string", description: field.description },
    ]),
  );
  const required = Object.entries(body.fields)
    .filter(([, field]) => field.required)
    .map(([name]) => name);
  return { required: true, content: { "multipart/form-data": { schema: { type: "object", properties, required } } } };
}

const ERROR_REF = { $ref: "#/components/schemas/Error" };

const ERROR_RESPONSES: Record<string, string> = {
  "400": "The request is invalid; the message names the field",
  "401": "No valid bearer token",
  "403": "The token's role is below the role this operation needs",
  "404": "No such resource",
  "413": "The body is larger than the limit",
  "429": "Too many wrong tokens from this address; wait Retry-After seconds",
  "500": "Unexpected server error (logged)",
};

function operationOf(endpoint: Endpoint): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(endpoint.responses)) {
    if (spec.mediaType) {
      responses[status] = { description: spec.description, content: { [spec.mediaType]: { schema: { type: "string" } } } };
      continue;
    }
    const schema = spec.schema ? schemaOf(spec.schema, "output") : Number(status) >= 400 ? ERROR_REF : undefined;
    responses[status] = schema ? { description: spec.description, content: { "application/json": { schema } } } : { description: spec.description };
  }
  const applicable = Object.entries(ERROR_RESPONSES).filter(
    ([status]) =>
      !(status in responses) &&
      (!["401", "403", "429"].includes(status) || endpoint.role !== "public") &&
      (status !== "413" || endpoint.body !== undefined) &&
      (status !== "400" || endpoint.body !== undefined || endpoint.query !== undefined) &&
      (status !== "404" || endpoint.params !== undefined),
  );
  for (const [status, description] of applicable) {
    responses[status] = { description, content: { "application/json": { schema: ERROR_REF } } };
  }
  return {
    operationId: operationId(endpoint),
    summary: endpoint.summary,
    ...(endpoint.description ? { description: endpoint.description } : {}),
    tags: endpoint.tags,
    ...(endpoint.role === "public" ? { security: [] } : { "x-sluice-role": endpoint.role }),
    parameters: [...parametersOf(endpoint.params, "path"), ...parametersOf(endpoint.query, "query")],
    ...(endpoint.body ? { requestBody: requestBodyOf(endpoint) } : {}),
    responses,
  };
}

/** `PATCH /quarantine/:id` → `patchQuarantineById`. */
export function operationId(endpoint: Endpoint): string {
  const words = endpoint.path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => (s.startsWith(":") ? `by-${s.slice(1)}` : s))
    .flatMap((s) => s.split(/[^A-Za-z0-9]+/))
    .filter((w) => w !== "");
  return [endpoint.method.toLowerCase(), ...words.map((w) => w[0]?.toUpperCase() + w.slice(1))].join("");
}

/** `/pipelines/:id` → `/pipelines/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
  /** Where the API is mounted, e.g. `/api/v1`. */
  basePath: string;
}

/** The OpenAPI 3.1 document for an endpoint table. */
export function buildOpenApiDocument(endpoints: readonly Endpoint[], info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpoints) {
    const key = openApiPath(endpoint.path);
    paths[key] ??= endpoint.mountedAt ? { servers: [{ url: endpoint.mountedAt }] } : {};
    paths[key][endpoint.method.toLowerCase()] = operationOf(endpoint);
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.basePath }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API token created under Settings, or the SLUICE_API_TOKEN admin token" },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: {
                code: { type: "string", description: "Machine-readable, e.g. not_found, invalid_request, graph_invalid" },
                message: { type: "string", description: "What went wrong and what to do about it" },
              },
            },
          },
        },
      },
    },
  };
}
