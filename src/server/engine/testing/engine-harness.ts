import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { closeDatabaseClients, getPool, getPrisma } from "../../db/client";
import { createPipeline } from "../../services/pipelines";
import { getRun, type RunCtx } from "../../services/runs";
import { saveUpload } from "../../services/uploads";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { defaultWorkspaceId } from "../../workspace";

const ROOT = path.resolve(import.meta.dirname, "../../../..");

/**
 * A test database the app's own clients point at, with a data directory for uploads:
 * what the engine needs to run pipelines for real inside a test.
 */
export async function createEngineEnvironment(settings: Record<string, string> = {}) {
  const db: TestDatabase = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), "sluice-engine-"));
  Object.assign(process.env, { DATABASE_URL: db.url, SLUICE_DATA_DIR: dataDir, ...settings });
  const prisma = getPrisma();
  const ctx: RunCtx = { prisma, pool: getPool(), workspaceId: await defaultWorkspaceId(prisma), actor: "test" };
  const workers: ChildProcess[] = [];

  return {
    db,
    ctx,
    dataDir,
    async upload(filename: string, content: string | Buffer) {
      const bytes = typeof content === "string" ? Buffer.from(content) : content;
      return saveUpload(ctx, { filename, contentType: "text/csv", stream: Readable.from([bytes]), sizeLimit: 1 << 30 });
    },
    async pipeline(graph: { nodes: unknown[]; edges: unknown[]; params?: unknown[] }, name = "test pipeline") {
      return createPipeline(ctx, { name, graph: { format: 1, name, ...graph } });
    },
    /** The smallest runnable pipeline: `csv` uploaded, streamed and appended to `table` (created on first load). */
    async loadPipeline(table: string, csv = "id\n1\n", options: { attempts?: number; name?: string; params?: unknown[] } = {}) {
      const file = await this.upload(`${table}.csv`, csv);
      return this.pipeline(
        {
          nodes: [
            { id: "src", type: "source.csv", config: { file: `upload:${file.id}` } },
            { id: "dst", type: "destination.postgres", config: { table, mode: "append" }, ...(options.attempts ? { retry: { attempts: options.attempts } } : {}) },
          ],
          edges: [{ from: "src", to: "dst" }],
          ...(options.params ? { params: options.params } : {}),
        },
        options.name ?? table,
      );
    },
    /** Polls until the run has finished, returning it with its node runs. */
    async waitForRun(runId: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await getRun(ctx, runId);
        if (["succeeded", "failed", "canceled"].includes(run.status)) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms: ${JSON.stringify(run.nodes.map((n) => [n.nodeId, n.status, n.error]))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    /** A worker in its own process, as `npm run worker` starts it, on this environment's database. */
    startWorkerProcess(workerSettings: Record<string, string> = {}): ChildProcess {
      const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts", "worker"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url, SLUICE_DATA_DIR: dataDir, ...settings, ...workerSettings },
        stdio: ["ignore", "ignore", "pipe"],
      });
      workers.push(child);
      return child;
    },
    async close() {
      for (const worker of workers) if (worker.exitCode === null) worker.kill("SIGKILL");
      await closeDatabaseClients();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
