import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring, SecretKey } from "./keyring";

const PREFIX = "sluice:v1";
const IV_BYTES = 12;

/**
 * Seals a secret with AES-256-GCM: `sluice:v1:<key id>:<iv>:<tag>:<ciphertext>`. The
 * `context` (e.g. "pipeline_webhooks.secret:<pipeline id>") is authenticated as
 * associated data, so a sealed value copied into another row or column does not open.
 */
export function seal(key: SecretKey, plain: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.bytes, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [PREFIX, key.id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(":");
}

export class SecretUnreadableError extends Error {}

export function open(keyring: Keyring, sealed: string, context: string): string {
  const parts = sealed.split(":");
  if (parts.length !== 6 || `${parts[0]}:${parts[1]}` !== PREFIX) throw new SecretUnreadableError("This is not a value sealed by Sluice's secrets store");
  const [, , keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string, string];
  const key = keyring.all.find((candidate) => candidate.id === keyId);
  if (!key) {
    throw new SecretUnreadableError(
      `A secret was sealed with key ${keyId}, which this server does not have (its key ${keyring.current.id} comes from ${keyring.source}); start it with the key the secret was sealed with`,
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretUnreadableError("A sealed secret failed its integrity check: it was altered or belongs to another record");
  }
}

/** Whether a value is sealed with the ring's current key (a rotation skips those). */
export function sealedWithCurrent(keyring: Keyring, sealed: string): boolean {
  return sealed.startsWith(`${PREFIX}:${keyring.current.id}:`);
}
