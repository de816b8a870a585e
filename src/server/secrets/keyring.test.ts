import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateSecretKey, keyFiles, loadKeyring, parseSecretKey } from "./keyring";
import { open, seal, SecretUnreadableError } from "./seal";

const freshDir = () => mkdtempSync(path.join(tmpdir(), "sluice-keys-"));

describe("the secret keyring", () => {
  it("generates a key on first use into the data directory, readable by its owner only, and reuses it", () => {
    const dir = freshDir();
    const first = loadKeyring({ SLUICE_DATA_DIR: dir });
    const file = keyFiles(dir).current;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toHaveLength(44);
    expect(loadKeyring({ SLUICE_DATA_DIR: dir }).current).toEqual(first.current);
  });

  it("refuses a key file other users can read", () => {
    const dir = freshDir();
    writeFileSync(keyFiles(dir).current, generateSecretKey(), { mode: 0o644 });
    expect(() => loadKeyring({ SLUICE_DATA_DIR: dir })).toThrow(/readable by other users \(mode 644\): run chmod 600/);
  });

  it("takes SLUICE_SECRET_KEY as base64 or hex and says what a wrong one should look like", () => {
    const hex = "00".repeat(31) + "01";
    expect(parseSecretKey(hex, "K").bytes).toEqual(Buffer.from(hex, "hex"));
    const key = generateSecretKey();
    expect(loadKeyring({ SLUICE_SECRET_KEY: key, SLUICE_DATA_DIR: freshDir() }).source).toBe("SLUICE_SECRET_KEY");
    expect(() => parseSecretKey("hunter2", "SLUICE_SECRET_KEY")).toThrow("SLUICE_SECRET_KEY must be 32 random bytes as base64 (44 characters) or hex (64 characters)");
    expect(() => parseSecretKey(Buffer.alloc(16).toString("base64"), "K")).toThrow(/32 random bytes/);
  });
});

describe("sealed secrets", () => {
  const keyring = loadKeyring({ SLUICE_SECRET_KEY: generateSecretKey(), SLUICE_DATA_DIR: freshDir() });

  it("open to the same text, and never contain it", () => {
    const sealed = seal(keyring.current, "p@ss wörd", "t.c:1");
    expect(sealed).toMatch(/^sluice:v1:[0-9a-f]{8}:/);
    expect(sealed).not.toContain("p@ss");
    expect(open(keyring, sealed, "t.c:1")).toBe("p@ss wörd");
    expect(seal(keyring.current, "p@ss wörd", "t.c:1")).not.toBe(sealed);
  });

  it("do not open in another row, when altered, or without their key", () => {
    const sealed = seal(keyring.current, "token", "t.c:1");
    expect(() => open(keyring, sealed, "t.c:2")).toThrow(SecretUnreadableError);
    // The character replaced is the one looked at, so the copy always differs (it did not when that character was already "A").
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === "A" ? "B" : "A") + sealed.slice(-1);
    expect(() => open(keyring, flipped, "t.c:1")).toThrow("failed its integrity check");
    const stranger = loadKeyring({ SLUICE_SECRET_KEY: generateSecretKey(), SLUICE_DATA_DIR: freshDir() });
    expect(() => open(stranger, sealed, "t.c:1")).toThrow(`sealed with key ${keyring.current.id}, which this server does not have`);
    expect(() => open(keyring, "plain text", "t.c:1")).toThrow("not a value sealed by Sluice");
  });
});
