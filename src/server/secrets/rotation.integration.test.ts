import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { decryptSecret, encryptSecret, rotateSecretKey, SEALED_COLUMNS } from ".";
import { keyFiles } from "./keyring";

let db: TestDatabase;
const dataDir = mkdtempSync(path.join(tmpdir(), "sluice-rotation-"));
const workspaceId = randomUUID();
const pipelineId = randomUUID();
const channelId = randomUUID();

beforeAll(async () => {
  process.env.SLUICE_DATA_DIR = dataDir;
  delete process.env.SLUICE_SECRET_KEY;
  db = await createTestDatabase();
  await db.pool.query("INSERT INTO workspaces (id, name) VALUES ($1, 'w')", [workspaceId]);
  await db.pool.query("INSERT INTO pipelines (id, workspace_id, name, updated_at) VALUES ($1, $2, 'p', now())", [pipelineId, workspaceId]);
  await db.pool.query("INSERT INTO pipeline_webhooks (pipeline_id, workspace_id, secret, secret_prefix) VALUES ($1, $2, $3, 'whsec')", [
    pipelineId,
    workspaceId,
    encryptSecret(SEALED_COLUMNS.webhookSecret, pipelineId, "whsec_first"),
  ]);
  await db.pool.query("INSERT INTO alert_channels (id, workspace_id, name, type, config, secrets, updated_at) VALUES ($1, $2, 'ops', 'slack', '{}', $3, now())", [
    channelId,
    workspaceId,
    encryptSecret(SEALED_COLUMNS.alertChannelSecrets, channelId, '{"url":"https://hooks.example/T1"}'),
  ]);
});

afterAll(async () => {
  await db.drop();
});

const stored = async () =>
  (await db.pool.query<{ secret: string }>("SELECT secret FROM pipeline_webhooks WHERE pipeline_id = $1", [pipelineId])).rows[0]!.secret;

describe("rotating the secret key", () => {
  it("re-seals every sealed column with a new key file and keeps the old key beside it", async () => {
    const files = keyFiles(dataDir);
    const oldKey = readFileSync(files.current, "utf8");
    const before = await stored();

    const result = await rotateSecretKey(db.pool);
    expect(result.resealed).toBe(2);
    expect(readFileSync(files.current, "utf8")).not.toBe(oldKey);
    expect(readFileSync(files.previous, "utf8")).toBe(oldKey);
    expect(existsSync(files.next)).toBe(false);

    const after = await stored();
    expect(after).not.toBe(before);
    expect(after).toContain(`:${result.keyId}:`);
    expect(decryptSecret(SEALED_COLUMNS.webhookSecret, pipelineId, after)).toBe("whsec_first");
    const channel = await db.pool.query<{ secrets: string }>("SELECT secrets FROM alert_channels WHERE id = $1", [channelId]);
    expect(decryptSecret(SEALED_COLUMNS.alertChannelSecrets, channelId, channel.rows[0]!.secrets)).toBe('{"url":"https://hooks.example/T1"}');
  });

  it("rotates again: values sealed two keys ago are gone, the last ones still open", async () => {
    const previousKey = readFileSync(keyFiles(dataDir).current, "utf8");
    expect((await rotateSecretKey(db.pool)).resealed).toBe(2);
    expect(readFileSync(keyFiles(dataDir).previous, "utf8")).toBe(previousKey);
    expect(decryptSecret(SEALED_COLUMNS.webhookSecret, pipelineId, await stored())).toBe("whsec_first");
  });

  it("with SLUICE_SECRET_KEY, needs the new key given and re-seals with it", async () => {
    process.env.SLUICE_SECRET_KEY = readFileSync(keyFiles(dataDir).current, "utf8").trim();
    await expect(rotateSecretKey(db.pool)).rejects.toThrow("give the new key in SLUICE_NEW_SECRET_KEY");
    const newKey = Buffer.alloc(32, 7).toString("base64");
    const result = await rotateSecretKey(db.pool, { newKey });
    expect(result).toMatchObject({ resealed: 2, newKey });
    process.env.SLUICE_SECRET_KEY = newKey;
    expect(decryptSecret(SEALED_COLUMNS.webhookSecret, pipelineId, await stored())).toBe("whsec_first");
  });
});
