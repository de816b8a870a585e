import "server-only";
import { getPool, getPrisma } from "../db/client";
import { readEnv } from "../env";
import { defaultWorkspaceId } from "../workspace";
import { authenticateBearer } from "../auth/bearer";
import { CLIENT_ADDRESS_HEADER } from "../auth/client-address";
import { BEARER_LIMITS, bearerThrottleKey, lockedUntil, recordFailure } from "../auth/throttle";
import type { PrismaClient } from "@/generated/prisma/client";
import type { TRequestContext } from "../context";
import { defineEndpoint } from "./endpoint";
import { endpoints, hookEndpoints } from "./endpoints";
import { ApiError } from "./errors";
import { buildOpenApiDocument } from "./openapi";
import { createRouter } from "./router";
import { toApiError } from "./service-errors";

const API_BASE_PATH = "/api/v1";

/**
 * An address that sent too many wrong tokens is refused before its token is even looked at:
 * answering a right one during the lock-out would tell a guesser when it hit.
 */
async function refuseThrottled(prisma: PrismaClient, address: string | null): Promise<void> {
  if (!address) return;
  const until = await lockedUntil(prisma, [bearerThrottleKey(address)]);
  if (!until) return;
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  throw new ApiError(
    429,
    "too_many_requests",
    `Too many requests with wrong API tokens came from this address; try again in ${seconds} second${seconds === 1 ? "" : "s"} with a valid token`,
    {},
    { "retry-after": String(seconds) },
  );
}

async function authenticate(request: Request): Promise<TRequestContext> {
  const prisma = getPrisma();
  const address = request.headers.get(CLIENT_ADDRESS_HEADER);
  const authorization = request.headers.get("authorization");
  if (authorization) await refuseThrottled(prisma, address);
  const result = await authenticateBearer(prisma, authorization, {
    adminToken: readEnv().SLUICE_API_TOKEN,
    defaultWorkspaceId: () => defaultWorkspaceId(prisma),
  });
  if (!result.ok) {
    if (result.invalidToken && address) await recordFailure(prisma, [bearerThrottleKey(address)], new Date(), BEARER_LIMITS);
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
    address,
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
