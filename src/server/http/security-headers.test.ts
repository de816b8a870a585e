import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

describe("the security headers", () => {
  it("allow code only from Sluice itself, and eval only on the dev server", () => {
    const production = contentSecurityPolicy({ dev: false });
    expect(production).toContain("default-src 'self'");
    expect(production).toContain("script-src 'self' 'unsafe-inline';");
    expect(production).not.toContain("unsafe-eval");
    expect(production).toContain("connect-src 'self'");
    expect(production).toContain("frame-ancestors 'none'");
    expect(production).toContain("object-src 'none'");
    expect(production).toContain("base-uri 'self'");
    expect(production).toContain("form-action 'self'");
    expect(contentSecurityPolicy({ dev: true })).toContain("script-src 'self' 'unsafe-inline' 'unsafe-eval';");
  });

  it("let a page be framed only by the origins given, and by none without them", () => {
    expect(contentSecurityPolicy({ dev: false, frameAncestors: ["https://wiki.example.com", "http://localhost:8080"] })).toContain(
      "frame-ancestors https://wiki.example.com http://localhost:8080;",
    );
    expect(contentSecurityPolicy({ dev: false, frameAncestors: [] })).toContain("frame-ancestors 'none';");
  });

  it("forbid framing, sniffing, full referrers and device access", () => {
    expect(securityHeaders({ dev: false })).toMatchObject({
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "strict-origin-when-cross-origin",
      "permissions-policy": expect.stringContaining("camera=(), microphone=(), geolocation=()"),
    });
  });
});
