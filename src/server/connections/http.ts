/**
 * HTTP connections: an API's base URL and how to authenticate to it (DESIGN.md: config
 * `{ baseUrl?, auth: { type, name? } }`, secrets `{ token | password | value | clientSecret }`),
 * turned into the credentials an HTTP source sends, and a test request that says what failed
 * (DNS, refused, TLS, HTTP status) without repeating a secret.
 */
import type pg from "pg";
import { z } from "zod";
import { authenticator, type THttpAuth } from "../engine/runners/source.http/auth";
import { HttpSourceError } from "../engine/runners/source.http/errors";
import { withoutSecrets } from "../engine/runners/source.http/redact";
import { excerpt, Transport } from "../engine/runners/source.http/transport";
import { openConnectionSecrets } from "./sealed";

export const HTTP_AUTH_TYPES = ["none", "bearer", "basic", "header", "query", "oauth2"] as const;

const ZHttpUrl = z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" }).max(4000);

export const ZHttpConfig = z
  .object({
    baseUrl: ZHttpUrl.optional().describe("Node URLs that are paths (/v1/items) are taken relative to this"),
    auth: z
      .object({
        type: z.enum(HTTP_AUTH_TYPES).default("none").describe("none; bearer (secret token); basic (username + secret password); header or query: an API key named `name` (secret value); oauth2: client credentials (tokenUrl, clientId, secret clientSecret)"),
        name: z.string().trim().min(1).max(200).optional().describe("The header or query parameter that carries the API key (header and query)"),
        username: z.string().max(500).optional().describe("basic"),
        tokenUrl: ZHttpUrl.optional().describe("oauth2: where the client-credentials token is asked for"),
        clientId: z.string().max(500).optional().describe("oauth2"),
        scope: z.string().max(2000).optional().describe("oauth2, optional"),
      })
      .strict()
      .default({ type: "none" }),
  })
  .strict()
  .superRefine(({ auth }, ctx) => {
    const need = (key: keyof typeof auth, why: string) => {
      if (auth[key] === undefined || auth[key] === "") ctx.addIssue({ code: "custom", path: ["auth", key], message: `${why} needs auth.${key}` });
    };
    if (auth.type === "header" || auth.type === "query") need("name", `An API key in the ${auth.type}`);
    if (auth.type === "basic") need("username", "Basic authentication");
    if (auth.type === "oauth2") {
      need("tokenUrl", "OAuth2");
      need("clientId", "OAuth2");
    }
  });
export type THttpConfig = z.infer<typeof ZHttpConfig>;

export const ZHttpSecrets = z
  .object({
    token: z.string().max(8192).optional().describe("bearer"),
    password: z.string().max(1024).optional().describe("basic"),
    value: z.string().max(8192).optional().describe("header / query: the API key"),
    clientSecret: z.string().max(8192).optional().describe("oauth2"),
  })
  .strict();
export type THttpSecrets = z.infer<typeof ZHttpSecrets>;

/** The credentials an HTTP connection sends; throws naming the missing secret when one its auth type needs is not set. */
export function httpAuthOf(connectionName: string, config: THttpConfig, secrets: THttpSecrets): THttpAuth {
  const { auth } = config;
  const secret = (key: keyof THttpSecrets): string => {
    const value = secrets[key];
    if (!value) throw new HttpSourceError(`The connection "${connectionName}" uses ${auth.type} authentication but its secret "${key}" is not set`);
    return value;
  };
  switch (auth.type) {
    case "none":
      return { type: "none" };
    case "bearer":
      return { type: "bearer", token: secret("token") };
    case "basic":
      return { type: "basic", username: auth.username ?? "", password: secret("password") };
    case "header":
    case "query":
      return { type: auth.type, name: auth.name ?? "", value: secret("value") };
    case "oauth2":
      return { type: "oauth2", tokenUrl: auth.tokenUrl ?? "", clientId: auth.clientId ?? "", clientSecret: secret("clientSecret"), scope: auth.scope };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An HTTP source's connection: its base URL and credentials. Throws HttpSourceError saying what is wrong with the reference. */
export async function loadHttpConnection(db: pg.Pool | pg.ClientBase, workspaceId: string, id: string): Promise<{ name: string; baseUrl?: string; auth: THttpAuth }> {
  const found = UUID.test(id)
    ? await db.query<{ name: string; type: string; config: unknown; secrets: string | null }>("SELECT name, type::text AS type, config, secrets FROM connections WHERE id = $1 AND workspace_id = $2", [id, workspaceId])
    : { rows: [] };
  const row = found.rows[0];
  if (!row) throw new HttpSourceError(`The connection ${id} does not exist in this workspace (it was deleted, or the pipeline came from elsewhere): choose another connection`);
  if (row.type !== "http") throw new HttpSourceError(`The connection "${row.name}" is a ${row.type} connection, not an HTTP one: choose an HTTP connection`);
  const config = ZHttpConfig.parse(row.config);
  return { name: row.name, baseUrl: config.baseUrl, auth: httpAuthOf(row.name, config, ZHttpSecrets.parse(openConnectionSecrets(id, row.secrets))) };
}

const TEST_TIMEOUT_MS = 15_000;

/**
 * One authenticated GET of the base URL (after fetching an OAuth2 token first), without
 * retries: reachable and not refused is a success. 401/403 fail as authentication; a 404 or
 * 405 at the base URL still proves the server is there and took the credentials.
 */
export async function testHttpConnection(name: string, config: THttpConfig, secrets: THttpSecrets): Promise<{ ok: boolean; message: string }> {
  let auth: THttpAuth;
  try {
    auth = httpAuthOf(name, config, secrets);
  } catch (error) {
    if (error instanceof HttpSourceError) return { ok: false, message: error.message };
    throw error;
  }
  if (!config.baseUrl) return { ok: false, message: "There is no base URL to test: set one, or check the connection by previewing a node that uses it" };
  const baseUrl = new URL(config.baseUrl);
  const credentials = authenticator(auth, () => transport);
  const mask = (text: string) => withoutSecrets(text, credentials.secrets());
  const transport = new Transport({ timeoutMs: TEST_TIMEOUT_MS, retries: 0 }, undefined, mask);
  let status: number;
  let body: Uint8Array;
  try {
    const headers = new Headers({ accept: "application/json" });
    const url = new URL(baseUrl);
    await credentials.apply(url, headers);
    const response = await transport.sendOnce({ url, method: "GET", headers });
    status = response.status;
    body = response.body;
  } catch (error) {
    if (error instanceof HttpSourceError) return { ok: false, message: mask(error.message) };
    throw error;
  }
  const said = excerpt(body);
  const how = auth.type === "none" ? "" : ` with ${auth.type} authentication`;
  if (status === 401 || status === 403)
    return { ok: false, message: mask(`Authentication failed: ${baseUrl.href} answered ${status} ${status === 401 ? "Unauthorized" : "Forbidden"}${how}${said ? `: ${said}` : ""}`) };
  if (status < 400 || status === 404 || status === 405) return { ok: true, message: `Reached ${baseUrl.href}${how}: it answered ${status}` };
  return { ok: false, message: mask(`${baseUrl.href} answered ${status}${said ? `: ${said}` : ""}`) };
}
