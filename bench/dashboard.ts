/**
 * Dashboards at scale: how long a pipeline's dashboard takes to paint its first chart data when
 * the pipeline has 10,000 finished runs (issue target: under 1 s on this machine). Seeds the runs
 * with their node runs and quarantined records and records each run's figures as the engine does
 * when a run finishes, serves the built app (`npm run build` first), and times a real Chromium
 * from navigation to the first bar of "Rows per run" on screen. The page timed is the pipeline's
 * shared dashboard: the same charts and data as the signed-in one, with no sign-in to script.
 * Usage: npm run bench:dashboard -- [--runs N]. The last line is for scripts:
 *   bench-dashboard: runs=<N> first_data_paint_ms=<median>
 */
import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { findChromium } from "../e2e/chromium";
import { startEmbeddedPostgres } from "../src/server/db/embedded";
import { prepareDatabase } from "../src/server/db/prepare";

const ROOT = path.resolve(import.meta.dirname, "..");
const index = process.argv.indexOf("--runs");
const runs = index >= 0 ? Number(process.argv[index + 1]) : 10_000;
if (!Number.isInteger(runs) || runs <= 0) throw new Error("--runs must be a positive whole number");
const PORT = 3291;
/** Spread over 28 days, so every run falls in the dashboard's default 30-day range. */
const EVERY_MINUTES = Math.max(1, Math.floor((28 * 24 * 60) / runs));

async function seed(url: string, dataDir: string): Promise<string> {
  Object.assign(process.env, { DATABASE_URL: url, SLUICE_DATA_DIR: dataDir, SLUICE_PUBLIC_URL: `http://localhost:${PORT}` });
  const { getPool, getPrisma, closeDatabaseClients } = await import("../src/server/db/client");
  const { defaultWorkspaceId } = await import("../src/server/workspace");
  const { seedDashboardPipeline } = await import("./dashboard-seed");
  const { createShare } = await import("../src/server/services/shares");
  const prisma = getPrisma();
  const ctx = { prisma, pool: getPool(), workspaceId: await defaultWorkspaceId(prisma), actor: "bench" };
  const { pipelineId } = await seedDashboardPipeline(ctx, { name: "Air quality", runs, everyMinutes: EVERY_MINUTES, rowsRead: 100 });
  await ctx.pool.query("ANALYZE");
  const { url: shareUrl } = await createShare(ctx, pipelineId, {});
  await closeDatabaseClients();
  return shareUrl;
}

async function main() {
  const workDir = await mkdtemp(path.join(tmpdir(), "sluice-bench-dashboard-"));
  await chmod(workDir, 0o755);
  let stopDatabase = async () => {};
  let app: ReturnType<typeof spawn> | undefined;
  try {
    let url = process.env.DATABASE_URL;
    if (!url) {
      const embedded = await startEmbeddedPostgres(path.join(workDir, "db"));
      url = embedded.url;
      stopDatabase = embedded.stop;
    }
    await prepareDatabase(url);
    const seeded = performance.now();
    const shareUrl = await seed(url, path.join(workDir, "data"));
    console.log(`seeded ${runs.toLocaleString()} runs in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

    app = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts", "start"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, PORT: String(PORT), SLUICE_WORKER: "off", SLUICE_DATA_DIR: path.join(workDir, "data") },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      app!.once("exit", (code) => reject(new Error(`the app exited (code ${code})`)));
      app!.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready on") && resolve());
    });

    const browser = await chromium.launch({
      executablePath: findChromium(),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const samples: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const started = performance.now();
      await page.goto(shareUrl, { waitUntil: "commit" });
      await page.getByRole("region", { name: "Rows per run" }).locator(".recharts-bar-rectangle").first().waitFor({ state: "visible", timeout: 60_000 });
      const painted = performance.now() - started;
      const html = await page.evaluate(() => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined)?.responseEnd ?? 0);
      // The first visit warms the server's caches; a returning viewer's visit is what counts.
      if (attempt > 0) {
        samples.push(painted);
        console.log(`  html ${html.toFixed(0)} ms, first bars painted at ${painted.toFixed(0)} ms`);
      }
      await page.close();
    }
    await browser.close();
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)]!;
    console.log(`first chart data painted after ${median.toFixed(0)} ms (samples ${samples.map((s) => s.toFixed(0)).join(", ")} ms)`);
    console.log(`bench-dashboard: runs=${runs} first_data_paint_ms=${median.toFixed(0)}`);
  } finally {
    if (app && app.exitCode === null) {
      const exited = new Promise((r) => app!.once("exit", r));
      app.removeAllListeners("exit");
      app.kill("SIGINT");
      await exited;
    }
    await stopDatabase();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
