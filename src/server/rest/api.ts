import "server-only";
import { getPool, getPrisma } from "../db/client";
import { readEnv } from "../env";
import { defaultWorkspaceId } from "../workspace";
import { authenticateBearer } from "../auth/bearer";
import { CLIENT_ADDRESS_HEADER } from "../auth/client-address";
import { defineEndpoint, type TRestContext } from "./endpoint";
import { endpoints, hookEndpoints } from "./endpoints";
import { ApiError } from "./errors";
import { buildOpenApiDocument } from "./openapi";
import { createRouter } from "./router";
import { toApiError } from "./service-errors";

const API_BASE_PATH = "/api/v1";

async function authenticate(request: Request): Promise<TRestContext> {
  const prisma = getPrisma();
  const result = await authenticateBearer(prisma, request.headers.get("authorization"), {
    adminToken: readEnv().SLUICE_API_TOKEN,
    defaultWorkspaceId: () => defaultWorkspaceId(prisma),
  });
  if (!result.ok) {
    const challenge = result.invalidToken ? 'Bearer realm="sluice", error="invalid_token"' : 'Bearer realm="sluice"';
    throw new ApiError(401, "unauthorized", result.reason, {}, { "www-authenticate": challenge });
  }
  return {
    prisma,
    pool: getPool(),
    workspaceId: result.workspaceId,
    actor: result.actor,
    role: result.role,
    userId: result.userId,
    address: request.headers.get(CLIENT_ADDRESS_HEADER),
  };
}

const openApiEndpoint = defineEndpoint({
  method: "GET",
  path: "/openapi.json",
  summary: "This API's OpenAPI 3.1 document",
  tags: ["Meta"],
  role: "public",
  responses: { 200: { description: "The document" } },
  handler: async () => Response.json(openApiDocument()),
});

const table = [openApiEndpoint, ...endpoints];

let document: Record<string, unknown> | undefined;
/** Built once: the table does not change while the process runs. */
function openApiDocument(): Record<string, unknown> {
  document ??= buildOpenApiDocument([...table, ...hookEndpoints], {
    title: "Sluice API",
    version: "1",
    description: "Automate Sluice: upload files, create and version pipelines, start runs, read results and fix quarantined records.",
    basePath: API_BASE_PATH,
  });
  return document;
}

/** Answers every request under /api/v1. */
export const handleApiRequest = createRouter({ basePath: API_BASE_PATH, endpoints: table, authenticate, mapError: toApiError });

/** Answers the public webhook triggers under /api/hooks: each checks its own signature, none takes a token. */
export const handleHookRequest = createRouter({
  basePath: "/api",
  endpoints: hookEndpoints,
  authenticate: () => Promise.reject(new Error("webhook triggers are public: they check their signature instead of a token")),
  mapError: toApiError,
});
