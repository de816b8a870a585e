import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** An AES-256 key and the short id sealed values carry, so the right key is found after a rotation. */
export interface SecretKey {
  id: string;
  bytes: Buffer;
}

/** The key new secrets are sealed with, and every key an older sealed value may still need. */
export interface Keyring {
  current: SecretKey;
  all: SecretKey[];
  /** Where the current key came from, for messages: `SLUICE_SECRET_KEY` or the key file's path. */
  source: string;
}

const KEY_BYTES = 32;

export function keyFromBytes(bytes: Buffer): SecretKey {
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

/** Accepts 32 bytes written as base64 (what `generateSecretKey` prints) or as 64 hex digits. */
export function parseSecretKey(text: string, name: string): SecretKey {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return keyFromBytes(Buffer.from(trimmed, "hex"));
  if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) return keyFromBytes(Buffer.from(trimmed, "base64"));
  throw new Error(`${name} must be ${KEY_BYTES} random bytes as base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32`);
}

export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

/** The key files of a data directory: the current key, the one a rotation is moving to, and the one it moved from. */
export function keyFiles(dataDir: string) {
  const dir = path.resolve(dataDir);
  return { current: path.join(dir, "secret.key"), next: path.join(dir, "secret.key.next"), previous: path.join(dir, "secret.key.previous") };
}

/** Writes a key readable by this user only; `exclusive` refuses to replace an existing file. */
export function writeKeyFile(file: string, key: string, exclusive: boolean): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: exclusive ? "wx" : "w" });
  chmodSync(file, 0o600);
}

function readKeyFile(file: string): SecretKey | undefined {
  if (!existsSync(file)) return undefined;
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new Error(`${file} is readable by other users (mode ${mode.toString(8)}): run chmod 600 ${file}`);
  return parseSecretKey(readFileSync(file, "utf8"), file);
}

export interface KeyringSettings {
  SLUICE_SECRET_KEY?: string;
  SLUICE_SECRET_KEY_PREVIOUS?: string;
  SLUICE_DATA_DIR: string;
}

/**
 * The keyring from the environment, or from the data directory, where a key is generated
 * on first use. A rotation that stopped between re-sealing and renaming its files left a
 * `.next` key: every value may already be sealed with it, so it is kept in the ring.
 */
export function loadKeyring(settings: KeyringSettings): Keyring {
  const files = keyFiles(settings.SLUICE_DATA_DIR);
  const extras = [
    settings.SLUICE_SECRET_KEY_PREVIOUS ? parseSecretKey(settings.SLUICE_SECRET_KEY_PREVIOUS, "SLUICE_SECRET_KEY_PREVIOUS") : undefined,
    readKeyFile(files.next),
    readKeyFile(files.previous),
  ].filter((key): key is SecretKey => key !== undefined);

  if (settings.SLUICE_SECRET_KEY) {
    const current = parseSecretKey(settings.SLUICE_SECRET_KEY, "SLUICE_SECRET_KEY");
    return { current, all: [current, ...extras], source: "SLUICE_SECRET_KEY" };
  }
  if (!existsSync(files.current)) {
    try {
      writeKeyFile(files.current, generateSecretKey(), true);
    } catch (error) {
      // Another process of this installation created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const current = readKeyFile(files.current);
  if (!current) throw new Error(`Could not create the secret key file ${files.current}`);
  return { current, all: [current, ...extras], source: files.current };
}

/** Makes the `.next` key current and keeps the replaced one as `.previous`, after every value was re-sealed. */
export function promoteNextKeyFile(dataDir: string): void {
  const files = keyFiles(dataDir);
  renameSync(files.current, files.previous);
  renameSync(files.next, files.current);
}
