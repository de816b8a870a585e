import type { ServerResponse } from "node:http";

/**
 * The headers every answer carries (pages, tRPC, REST, route handlers and the door's own
 * refusals), set at the front door so no route can forget them:
 * - Content-Security-Policy: scripts, styles, images and connections only from this origin, so
 *   a payload that slipped past escaping cannot load code from elsewhere or send data out.
 *   Next.js inlines its bootstrap scripts and React Flow positions nodes with inline styles,
 *   hence 'unsafe-inline'; the dev server's hot reload evaluates code, hence 'unsafe-eval'
 *   in development only.
 * - frame-ancestors / X-Frame-Options: no other site can frame Sluice to trick clicks. The one
 *   exception is a share link whose sharer listed origins to embed it on (embeddableHeaders).
 * - nosniff: a downloaded CSV or JSON is never run as a script or page.
 * - Referrer-Policy: run and pipeline ids in URLs do not leak to other sites.
 * - Permissions-Policy: Sluice needs no camera, microphone, location or payment.
 */
export function contentSecurityPolicy(options: { dev: boolean; frameAncestors?: readonly string[] }): string {
  const ancestors = options.frameAncestors?.length ? options.frameAncestors.join(" ") : "'none'";
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    `frame-ancestors ${ancestors}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

const PERMISSIONS_POLICY = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "hid", "midi", "display-capture"]
  .map((feature) => `${feature}=()`)
  .join(", ");

export function securityHeaders(options: { dev: boolean }): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(options),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": PERMISSIONS_POLICY,
  };
}

/**
 * A page that the listed origins (already normalised `scheme://host[:port]`, see ZEmbedOrigin)
 * may frame: frame-ancestors names them, and X-Frame-Options, which can only say DENY or
 * SAMEORIGIN, is left out (browsers that know frame-ancestors ignore it anyway).
 */
export function applyEmbeddableHeaders(response: ServerResponse, frameAncestors: readonly string[], options: { dev: boolean }): void {
  if (frameAncestors.length === 0) return;
  response.setHeader("content-security-policy", contentSecurityPolicy({ ...options, frameAncestors }));
  response.removeHeader("x-frame-options");
}

/** Set before the app writes anything: a route that sets one of these itself still wins. */
export function applySecurityHeaders(response: ServerResponse, options: { dev: boolean }): void {
  for (const [name, value] of Object.entries(securityHeaders(options))) response.setHeader(name, value);
}
