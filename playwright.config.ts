import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { OWNER, OWNER_STATE } from "./e2e/accounts";
import { findChromium } from "./e2e/chromium";

const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://localhost:${port}`;
// A fresh embedded database per test session: tests start from an empty product, like a new user.
const dataDir = mkdtempSync(path.join(tmpdir(), "sluice-e2e-"));

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    viewport: { width: 1280, height: 800 },
  },
  projects: [
    // Signs the owner in once; every spec starts signed in as the owner from the saved cookies.
    { name: "sign-in", testMatch: "**/*.setup.ts", use: { launchOptions: { executablePath: findChromium(), args: ["--no-sandbox", "--disable-gpu"] } } },
    {
      name: "chromium",
      dependencies: ["sign-in"],
      use: {
        ...devices["Desktop Chrome"],
        storageState: OWNER_STATE,
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          executablePath: findChromium(),
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    // `npm start` without npm in between (npm leaves its child behind when killed).
    command: "node --max-semi-space-size=4 --import tsx src/server/main.ts start",
    url: `${baseURL}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: "SIGINT", timeout: 20_000 },
    stdout: "pipe",
    env: {
      PORT: String(port),
      SLUICE_DATA_DIR: dataDir,
      DATABASE_URL: "",
      SLUICE_WORKER_STALE_SECONDS: "5",
      MALLOC_ARENA_MAX: "1",
      // The owner every spec signs in as, created at start as Docker and CI would.
      SLUICE_ADMIN_EMAIL: OWNER.email,
      SLUICE_ADMIN_PASSWORD: OWNER.password,
      SLUICE_ADMIN_NAME: OWNER.name,
    },
  },
});
