/**
 * The secrets store: connection passwords, API keys, webhook and channel secrets are kept
 * sealed (AES-256-GCM) in the column that owns them, never in plain text, and never sent
 * back through an API. Loaded by the web process and the worker alike (no `server-only`).
 */
import type pg from "pg";
import { ident, sql } from "@/nodes/sql";
import { query, transaction } from "../db/query";
import { readEnv } from "../env";
import { generateSecretKey, keyFiles, loadKeyring, parseSecretKey, promoteNextKeyFile, writeKeyFile, type Keyring } from "./keyring";
import { open, seal, sealedWithCurrent } from "./seal";

export { SecretUnreadableError } from "./seal";

/**
 * Every column that holds sealed values, by what it is. A sealed value is bound to its
 * column and row (the row's key is authenticated with it), and a key rotation re-seals
 * exactly these columns: a new kind of secret is a new line here.
 */
export const SEALED_COLUMNS = {
  webhookSecret: { table: "pipeline_webhooks", column: "secret", keyColumn: "pipeline_id" },
  alertChannelSecrets: { table: "alert_channels", column: "secrets", keyColumn: "id" },
  connectionSecrets: { table: "connections", column: "secrets", keyColumn: "id" },
} as const satisfies Record<string, { table: string; column: string; keyColumn: string }>;

export type TSealedColumn = (typeof SEALED_COLUMNS)[keyof typeof SEALED_COLUMNS];

const contextOf = (where: TSealedColumn, rowKey: string) => `${where.table}.${where.column}:${rowKey}`;

const cache = globalThis as unknown as { __sluiceKeyring?: { settingsKey: string; keyring: Keyring } };

function currentKeyring(): Keyring {
  const env = readEnv();
  const settings = { SLUICE_SECRET_KEY: env.SLUICE_SECRET_KEY, SLUICE_SECRET_KEY_PREVIOUS: env.SLUICE_SECRET_KEY_PREVIOUS, SLUICE_DATA_DIR: env.SLUICE_DATA_DIR };
  const settingsKey = JSON.stringify(settings);
  if (cache.__sluiceKeyring?.settingsKey !== settingsKey) cache.__sluiceKeyring = { settingsKey, keyring: loadKeyring(settings) };
  return cache.__sluiceKeyring.keyring;
}

/** Seals `plain` for the row `rowKey` of a sealed column; generate the row's id before sealing. */
export function encryptSecret(where: TSealedColumn, rowKey: string, plain: string): string {
  return seal(currentKeyring().current, plain, contextOf(where, rowKey));
}

/** Opens a value sealed for this column and row; throws SecretUnreadableError with the reason. */
export function decryptSecret(where: TSealedColumn, rowKey: string, sealed: string): string {
  return open(currentKeyring(), sealed, contextOf(where, rowKey));
}

export interface RotationResult {
  resealed: number;
  keyId: string;
  /** Set when the key comes from the environment: the value to put in SLUICE_SECRET_KEY now. */
  newKey?: string;
}

function resealAll(pool: pg.Pool, keyring: Keyring): Promise<number> {
  return transaction(pool, async (client) => {
    let resealed = 0;
    for (const where of Object.values(SEALED_COLUMNS)) {
      const [table, column, keyColumn] = [ident(where.table), ident(where.column), ident(where.keyColumn)];
      const { rows } = await query<{ key: string; sealed: string }>(
        client,
        sql`SELECT ${keyColumn}::text AS key, ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL FOR UPDATE`,
      );
      for (const row of rows) {
        if (sealedWithCurrent(keyring, row.sealed)) continue;
        const context = contextOf(where, row.key);
        const fresh = seal(keyring.current, open(keyring, row.sealed, context), context);
        await query(client, sql`UPDATE ${table} SET ${column} = ${fresh} WHERE ${keyColumn}::text = ${row.key}`);
        resealed++;
      }
    }
    return resealed;
  });
}

/**
 * Moves every sealed value to a new key. With a key file, the new key is written beside
 * the old one first, every value is re-sealed in one transaction, then the files are
 * renamed (the old key stays as `secret.key.previous`), so a crash at any point loses
 * nothing. With SLUICE_SECRET_KEY, pass the new key (`newKey`) and set it in the
 * environment afterwards; until then SLUICE_SECRET_KEY_PREVIOUS may carry the old one.
 */
export async function rotateSecretKey(pool: pg.Pool, options: { newKey?: string } = {}): Promise<RotationResult> {
  const env = readEnv();
  const before = currentKeyring();
  if (env.SLUICE_SECRET_KEY) {
    if (!options.newKey) throw new Error("The key comes from SLUICE_SECRET_KEY: give the new key in SLUICE_NEW_SECRET_KEY (openssl rand -base64 32)");
    const next = parseSecretKey(options.newKey, "SLUICE_NEW_SECRET_KEY");
    const resealed = await resealAll(pool, { current: next, all: [next, ...before.all], source: "SLUICE_NEW_SECRET_KEY" });
    return { resealed, keyId: next.id, newKey: options.newKey };
  }
  const files = keyFiles(env.SLUICE_DATA_DIR);
  const newKey = options.newKey ?? generateSecretKey();
  const next = parseSecretKey(newKey, "SLUICE_NEW_SECRET_KEY");
  writeKeyFile(files.next, newKey, false);
  const resealed = await resealAll(pool, { current: next, all: [next, ...before.all], source: files.next });
  promoteNextKeyFile(env.SLUICE_DATA_DIR);
  cache.__sluiceKeyring = undefined;
  return { resealed, keyId: next.id };
}
