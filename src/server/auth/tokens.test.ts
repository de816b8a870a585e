import { describe, expect, it } from "vitest";
import { displayPrefix, generateToken, hashToken, TOKEN_PREFIX } from "./tokens";

describe("API token secrets", () => {
  it("are slc_ and 32 random bytes in base64url", () => {
    const token = generateToken();
    expect(token).toMatch(/^slc_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(TOKEN_PREFIX.length), "base64url")).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
  });

  it("are stored as a sha256 hex digest and shown by a short prefix", () => {
    const token = generateToken();
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).toBe(hashToken(token));
    expect(displayPrefix(token)).toBe(token.slice(0, 12));
  });
});
