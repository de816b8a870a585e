/**
 * How an HTTP source proves who it is, from a connection's auth settings and opened secrets:
 * a bearer token, basic credentials, an API key in a header or the query, or an OAuth2
 * client-credentials token fetched on first use and fetched again when it expires or the API
 * answers 401.
 */
import { HttpSourceError } from "./errors";
import { excerpt, type Transport } from "./transport";

export type THttpAuth =
  | { type: "none" }
  | { type: "bearer"; token: string }
  | { type: "basic"; username: string; password: string }
  | { type: "header"; name: string; value: string }
  | { type: "query"; name: string; value: string }
  | { type: "oauth2"; tokenUrl: string; clientId: string; clientSecret: string; scope?: string };

/** A token this close to its expiry is fetched again rather than sent. */
const EXPIRY_MARGIN_MS = 30_000;

export interface Authenticator {
  /** Adds the credentials to one request's URL or headers. */
  apply(url: URL, headers: Headers): Promise<void>;
  /** After a 401: forgets a fetched token and says whether a fresh one is worth one more try. */
  renew(): boolean;
  /** Every secret value in play (fetched tokens too), for masking. */
  secrets(): string[];
}

export function authenticator(auth: THttpAuth, transport: () => Transport): Authenticator {
  switch (auth.type) {
    case "none":
      return { apply: async () => {}, renew: () => false, secrets: () => [] };
    case "bearer":
      return { apply: async (_url, headers) => headers.set("authorization", `Bearer ${auth.token}`), renew: () => false, secrets: () => [auth.token] };
    case "basic": {
      const credentials = Buffer.from(`${auth.username}:${auth.password}`).toString("base64");
      return { apply: async (_url, headers) => headers.set("authorization", `Basic ${credentials}`), renew: () => false, secrets: () => [auth.password, credentials] };
    }
    case "header":
      return { apply: async (_url, headers) => headers.set(auth.name, auth.value), renew: () => false, secrets: () => [auth.value] };
    case "query":
      return {
        apply: async (url) => url.searchParams.set(auth.name, auth.value),
        renew: () => false,
        secrets: () => [auth.value],
      };
    case "oauth2":
      return oauth2ClientCredentials(auth, transport);
  }
}

function oauth2ClientCredentials(auth: Extract<THttpAuth, { type: "oauth2" }>, transport: () => Transport): Authenticator {
  let token: { value: string; expiresAt: number } | undefined;
  const fetched: string[] = [];
  const basic = Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString("base64");

  async function fetchToken(): Promise<{ value: string; expiresAt: number }> {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (auth.scope) form.set("scope", auth.scope);
    const where = `the OAuth2 token request to ${auth.tokenUrl}`;
    let tokenUrl: URL;
    try {
      tokenUrl = new URL(auth.tokenUrl);
    } catch {
      throw new HttpSourceError(`The connection's OAuth2 token URL "${auth.tokenUrl}" is not a URL`);
    }
    let answer;
    try {
      // RFC 6749 §2.3.1: servers must accept the client credentials as HTTP basic authentication.
      answer = await transport().send(async () => ({
        url: tokenUrl,
        method: "POST",
        headers: new Headers({ authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" }),
        body: form.toString(),
      }));
    } catch (error) {
      if (error instanceof HttpSourceError) throw new HttpSourceError(`OAuth2: could not get an access token: ${error.message}`);
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(answer.body).toString("utf8"));
    } catch {
      throw new HttpSourceError(`OAuth2: ${where} answered something other than JSON: ${excerpt(answer.body)}`);
    }
    const body = (typeof parsed === "object" && parsed !== null ? parsed : {}) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== "string" || body.access_token === "") throw new HttpSourceError(`OAuth2: ${where} answered without an access_token`);
    fetched.push(body.access_token);
    const lifetimeMs = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in * 1000 : Number.POSITIVE_INFINITY;
    return { value: body.access_token, expiresAt: Date.now() + lifetimeMs - EXPIRY_MARGIN_MS };
  }

  return {
    async apply(_url, headers) {
      if (!token || Date.now() >= token.expiresAt) token = await fetchToken();
      headers.set("authorization", `Bearer ${token.value}`);
    },
    renew() {
      token = undefined;
      return true;
    },
    secrets: () => [auth.clientSecret, basic, ...fetched],
  };
}
