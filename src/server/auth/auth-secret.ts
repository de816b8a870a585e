import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readEnv } from "../env";

const cache = globalThis as unknown as { __sluiceAuthSecret?: string };

/**
 * The key that signs session cookies: SLUICE_AUTH_SECRET, or one generated on first start into
 * `<SLUICE_DATA_DIR>/auth.key` (0600). Changing it signs every user out.
 */
export function authSecret(): string {
  if (cache.__sluiceAuthSecret) return cache.__sluiceAuthSecret;
  const env = readEnv();
  if (env.SLUICE_AUTH_SECRET) return (cache.__sluiceAuthSecret = env.SLUICE_AUTH_SECRET);
  const file = path.resolve(env.SLUICE_DATA_DIR, "auth.key");
  let secret: string;
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(path.dirname(file), { recursive: true });
    secret = randomBytes(32).toString("base64url");
    // wx: two processes starting at once must not each write their own key; the loser reads the winner's.
    try {
      writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    } catch {
      secret = readFileSync(file, "utf8").trim();
    }
    chmodSync(file, 0o600);
  }
  return (cache.__sluiceAuthSecret = secret);
}
