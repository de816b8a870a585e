import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "sluice-main-"));
  await chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
}

/** `npm run <command>` as a user runs it (without npm in between, so signals reach the process). */
function sluice(command: "start" | "dev" | "worker", env: Record<string, string>, options: { ownProcessGroup?: boolean } = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts", command], {
    cwd: ROOT,
    detached: options.ownProcessGroup ?? false,
    env: { ...process.env, DATABASE_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    async waitFor(text: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before "${text}":\n${stdout}\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`no "${text}" after ${timeoutMs} ms:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

async function postmasterPid(dir: string): Promise<number | null> {
  const content = await readFile(path.join(dir, "postgres", "postmaster.pid"), "utf8").catch(() => null);
  return content ? Number(content.split("\n")[0]) : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the sluice process", () => {
  it("stops worker and embedded database cleanly on SIGTERM and SIGINT", async () => {
    const dir = await dataDir();
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const worker = sluice("worker", { SLUICE_DATA_DIR: dir });
      await worker.waitFor("worker running");
      const pid = await postmasterPid(dir);
      expect(pid).not.toBeNull();
      worker.child.kill(signal);
      expect(await worker.exited).toBe(0);
      expect(alive(pid!)).toBe(false);
      expect(await postmasterPid(dir)).toBeNull();
    }
  }, 120_000);

  it("stops on Ctrl-C without reporting the connections the stopping database cuts", async () => {
    const dir = await dataDir();
    // A terminal's Ctrl-C signals the whole foreground process group: the embedded PostgreSQL
    // gets it at the same moment and cuts every connection while the pools are still closing.
    const worker = sluice("worker", { SLUICE_DATA_DIR: dir }, { ownProcessGroup: true });
    await worker.waitFor("worker running");
    await new Promise((r) => setTimeout(r, 1_500));
    process.kill(-worker.child.pid!, "SIGINT");
    expect(await worker.exited).toBe(0);
    expect(worker.output().stderr).toBe("");
    expect(await postmasterPid(dir)).toBeNull();
  }, 120_000);

  it("starts again after being killed with kill -9, taking over from the database it left running", async () => {
    const dir = await dataDir();
    const first = sluice("worker", { SLUICE_DATA_DIR: dir });
    await first.waitFor("worker running");
    const orphan = await postmasterPid(dir);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(alive(orphan!)).toBe(true);

    const second = sluice("worker", { SLUICE_DATA_DIR: dir });
    await second.waitFor("worker running");
    expect(second.output().stdout).toMatch(/left running by an earlier Sluice process/);
    expect(alive(orphan!)).toBe(false);
    const port = Number(await readFile(path.join(dir, "postgres.port"), "utf8"));
    const client = new pg.Client({ connectionString: `postgresql://sluice:sluice@127.0.0.1:${port}/sluice` });
    await client.connect();
    expect((await client.query("SELECT count(*)::int AS n FROM workspaces")).rows[0].n).toBeGreaterThanOrEqual(0);
    await client.end();
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 120_000);

  it("says in one line which database it cannot reach, and why", async () => {
    const worker = sluice("worker", { DATABASE_URL: "postgresql://nobody:secret@127.0.0.1:1/nowhere" });
    expect(await worker.exited).toBe(1);
    const { stderr } = worker.output();
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^sluice: Cannot connect to postgresql:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
    expect(stderr).not.toContain("secret");
  });

  it("says so when its port is taken, and honours PORT", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "0.0.0.0", resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = await dataDir();
    const app = sluice("dev", { SLUICE_DATA_DIR: dir, PORT: String(port), SLUICE_WORKER: "off" });
    expect(await app.exited).toBe(1);
    expect(app.output().stderr).toContain(`sluice: port ${port} is already in use: stop the program using it, or start Sluice with PORT=<another port>`);
    blocker.close();
    // Nothing is left running in its data directory.
    const pid = await postmasterPid(dir);
    if (pid !== null) expect(alive(pid)).toBe(false);
    await expect(stat(dir)).resolves.toBeTruthy();
  }, 60_000);
});
