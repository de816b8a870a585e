/** Secrets never reach a message, a log or lineage: every form a request carries them in is masked. */

const MASK = "•••";

/** The ways a secret appears on the wire: as is, URL-encoded (query auth) and base64 (basic auth carries `user:password`). */
function formsOf(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")];
}

/** `text` with every occurrence of each secret replaced by a mask, longest first so a secret inside another is not half-masked. */
export function withoutSecrets(text: string, secrets: readonly string[]): string {
  const forms = [...new Set(secrets.filter((s) => s.length > 0).flatMap(formsOf))].sort((a, b) => b.length - a.length);
  let masked = text;
  for (const form of forms) masked = masked.split(form).join(MASK);
  return masked;
}
