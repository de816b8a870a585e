import type { IncomingMessage, ServerResponse } from "node:http";
import { CLIENT_ADDRESS_HEADER, REQUEST_PATH_HEADER } from "../auth/client-address";
import { bodyLimitFor, declaredTooLarge, tooLarge } from "./body-limit";
import { applyEmbeddableHeaders, applySecurityHeaders } from "./security-headers";

/**
 * The checks every HTTP request passes before Next.js sees it (main.ts puts this in front of
 * the app; route handler tests put it in front of the handler):
 * - DNS rebinding: a page on `attacker.example` whose name resolves to this machine reaches
 *   the port with `Host: attacker.example`; only the public host and loopback names are served.
 * - CSRF: a state-changing request that carries the session cookie, or goes to an endpoint only
 *   the app's own pages call, must say (Origin) that it comes from one of those pages.
 * - Forwarded headers (`X-Forwarded-Host/Proto/For`, `Forwarded`) are the client's word unless
 *   a proxy in front is trusted to set them; untrusted, they are removed.
 * - Size: a body whose Content-Length is over the path's limit is refused before it is read.
 * - Addresses with NUL or non-UTF-8 escapes are refused before any route decodes them.
 * - Every answer, refusals included, carries the security headers (security-headers.ts); a page
 *   that may be embedded (`embedOriginsFor`) names the origins that may frame it.
 */

export interface TFrontDoorConfig {
  /** SLUICE_PUBLIC_URL, when set: its host is served besides the loopback names. */
  publicUrl?: string | undefined;
  /** SLUICE_TRUST_PROXY=on: X-Forwarded-* come from a proxy in front and are believed. */
  trustProxy: boolean;
  /** The Next.js dev server, whose hot reload needs a looser script policy. */
  dev?: boolean | undefined;
  /**
   * For a path that some sites may frame (a share link's page): the origins that may. Null for
   * every other path, which no site may frame. A lookup that fails frames nothing.
   */
  embedOriginsFor?: ((path: string) => Promise<readonly string[]> | null) | undefined;
}

export interface TRefusal {
  status: number;
  code: string;
  message: string;
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);
const FORWARDED_HEADERS = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-for", "x-forwarded-port", "forwarded", "x-real-ip"];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Called only by the app's own pages (tRPC, sign-in and account endpoints, the editor's upload): never without Origin. */
const BROWSER_ONLY_PATHS = ["/api/trpc", "/api/auth", "/api/uploads"];
/** better-auth's session cookie, plain (http) or `__Secure-` (https). */
const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?sluice\.session_token=/;

type THeaderValue = string | string[] | undefined;
type THeaders = Record<string, THeaderValue>;

function first(value: THeaderValue): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return null;
  return text.split(",")[0]!.trim() || null;
}

/** `host[:port]` → the host part, lowercased, IPv6 in brackets; null when it is no host at all. */
function hostnameOf(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function servedHostnames(config: TFrontDoorConfig): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (config.publicUrl) names.add(new URL(config.publicUrl).hostname.toLowerCase());
  return names;
}

/** The host the client addressed: Host, or a trusted proxy's X-Forwarded-Host. */
export function addressedHost(headers: THeaders, config: TFrontDoorConfig): string | null {
  return (config.trustProxy ? first(headers["x-forwarded-host"]) : null) ?? first(headers.host);
}

function hostRefusal(headers: THeaders, config: TFrontDoorConfig): TRefusal | null {
  const host = addressedHost(headers, config);
  const hostname = host === null ? null : hostnameOf(host);
  if (hostname !== null && servedHostnames(config).has(hostname)) return null;
  const served = [...servedHostnames(config)].join(", ");
  return {
    status: 421,
    code: "misdirected_request",
    message:
      `This Sluice answers only for ${served}; the request was addressed to ${host === null ? "no host" : `“${host}”`}. ` +
      "If people reach it under another name, set SLUICE_PUBLIC_URL to that address.",
  };
}

/** The origin (`scheme://host[:port]`) the request came from, from Origin or else Referer. */
function requestOrigin(headers: THeaders): string | null {
  const origin = first(headers.origin);
  if (origin !== null) return origin;
  const referer = first(headers.referer);
  if (referer === null) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

function originRefusal(method: string, path: string, headers: THeaders, config: TFrontDoorConfig): TRefusal | null {
  if (SAFE_METHODS.has(method)) return null;
  const cookie = Array.isArray(headers.cookie) ? headers.cookie.join("; ") : (headers.cookie ?? "");
  const browserOnly = BROWSER_ONLY_PATHS.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`));
  if (!browserOnly && !SESSION_COOKIE.test(cookie)) return null;
  const origin = requestOrigin(headers);
  let originHost: string | null = null;
  if (origin !== null && origin !== "null") {
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      originHost = null;
    }
  }
  const host = addressedHost(headers, config)?.toLowerCase() ?? null;
  const publicHost = config.publicUrl ? new URL(config.publicUrl).host.toLowerCase() : null;
  if (originHost !== null && (originHost === host || originHost === publicHost)) return null;
  return {
    status: 403,
    code: "cross_origin",
    message:
      origin === null
        ? "Changes made with a signed-in session must come from Sluice's own pages (the request has no Origin header); scripts should use an API token instead"
        : `Changes made with a signed-in session must come from Sluice's own pages, not from ${origin}`,
  };
}

/**
 * An address whose escapes decode to NUL or to bytes that are no UTF-8 names nothing Sluice
 * has, and PostgreSQL refuses NUL outright (a 500 deep in a route): refused here for all routes.
 */
function addressRefusal(url: string): TRefusal | null {
  let decoded: string;
  try {
    // A `%` that starts no escape stays text, as browsers and Next.js read it.
    decoded = decodeURIComponent(url.replace(/%(?![0-9a-fA-F]{2})/g, "%25"));
  } catch {
    return { status: 400, code: "invalid_request", message: "The address has percent escapes that are not UTF-8 text (such as %FF); encode it as UTF-8" };
  }
  if (decoded.includes("\u0000")) return { status: 400, code: "invalid_request", message: "The address contains a NUL character (%00); remove it" };
  return null;
}

function sizeRefusal(path: string, headers: THeaders): TRefusal | null {
  const limit = bodyLimitFor(path);
  const declared = headers["content-length"];
  if (limit === null || !declaredTooLarge(Array.isArray(declared) ? declared[0] : declared, limit)) return null;
  const { status, code, message } = tooLarge(limit);
  return { status, code, message };
}

/** Why the request is refused at the door, or null to let it in. */
export function frontDoorRefusal(request: { method?: string | undefined; url?: string | undefined; headers: THeaders }, config: TFrontDoorConfig): TRefusal | null {
  return (
    hostRefusal(request.headers, config) ??
    addressRefusal(request.url ?? "/") ??
    originRefusal((request.method ?? "GET").toUpperCase(), request.url ?? "/", request.headers, config) ??
    sizeRefusal(request.url ?? "/", request.headers)
  );
}

/**
 * Rewrites the request's headers into what the app may believe: forwarded headers only from a
 * trusted proxy, the client address (for lock-out and the audit log) and the requested path.
 */
export function normalizeForwardedHeaders(request: IncomingMessage, config: TFrontDoorConfig): void {
  const forwardedFor = config.trustProxy ? request.headers["x-forwarded-for"] : undefined;
  if (!config.trustProxy) for (const name of FORWARDED_HEADERS) delete request.headers[name];
  // The proxy appends the address it saw, so the last entry is the one a client cannot forge.
  const viaProxy = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "")).split(",").map((s) => s.trim()).filter(Boolean).at(-1);
  request.headers[CLIENT_ADDRESS_HEADER] = viaProxy ?? request.socket.remoteAddress ?? "";
  request.headers[REQUEST_PATH_HEADER] = request.url ?? "/";
}

export function refuse(response: ServerResponse, refusal: TRefusal): void {
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } });
  response.writeHead(refusal.status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), connection: "close" }).end(body);
}

/** Wraps a Node request listener with the door: refused requests never reach `next`. */
export function frontDoor(config: TFrontDoorConfig, next: (request: IncomingMessage, response: ServerResponse) => void) {
  return (request: IncomingMessage, response: ServerResponse) => {
    applySecurityHeaders(response, { dev: config.dev === true });
    const refusal = frontDoorRefusal(request, config);
    if (refusal) {
      refuse(response, refusal);
      request.resume();
      return;
    }
    normalizeForwardedHeaders(request, config);
    const embedOrigins = config.embedOriginsFor?.(request.url ?? "/");
    if (!embedOrigins) {
      next(request, response);
      return;
    }
    embedOrigins.then(
      (origins) => {
        applyEmbeddableHeaders(response, origins, { dev: config.dev === true });
        next(request, response);
      },
      () => next(request, response),
    );
  };
}

export function frontDoorConfig(env: { SLUICE_PUBLIC_URL?: string | undefined; SLUICE_TRUST_PROXY: "on" | "off" }, options: { dev?: boolean } = {}): TFrontDoorConfig {
  return { publicUrl: env.SLUICE_PUBLIC_URL, trustProxy: env.SLUICE_TRUST_PROXY === "on", dev: options.dev === true };
}
