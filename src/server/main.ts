/**
 * The one entry point: `start` (build if needed, serve the app, run the worker),
 * `dev` (Next.js dev server + worker), `worker` (jobs only) and the maintenance commands
 * (`npm run sluice -- <command>`). Uses an embedded PostgreSQL under SLUICE_DATA_DIR when
 * DATABASE_URL is unset.
 */
import { spawn } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { checkDatabase } from "./db/connection";
import { runningEmbeddedPostgresUrl, startEmbeddedPostgres } from "./db/embedded";
import { MigrationError } from "./db/migrate";
import { prepareDatabase } from "./db/prepare";
import { readEnv } from "./env";
import { startWorker } from "./jobs/worker";
import { markStopping } from "./stopping";
import { rotateSecretKey } from "./secrets";
import { bootstrapOwnerFromEnv, createPasswordResetLink } from "./auth/accounts";
import { frontDoor, frontDoorConfig } from "./http/front-door";
import { closeDatabaseClients, getPrisma } from "./db/client";
import { sharePageEmbedOrigins } from "./services/shares";

const ROOT = path.resolve(import.meta.dirname, "../..");
const command = process.argv[2] ?? "start";

/** Cleanups run last-registered first: server, then worker, then the database. */
const cleanups: (() => Promise<void>)[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    markStopping();
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error(`sluice: while stopping: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  process.exit(code);
}

function log(message: string) {
  console.log(`sluice: ${message}`);
}

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(target);
  const times = await Promise.all(entries.map((entry) => newestMtime(path.join(target, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** `npm start` builds when there is no build or the sources changed since the last one. */
async function buildIfNeeded(): Promise<void> {
  const built = await stat(path.join(ROOT, ".next", "BUILD_ID")).then((s) => s.mtimeMs, () => 0);
  const sources = await Promise.all(
    ["src", "next.config.mjs", "postcss.config.mjs", "package.json", "tsconfig.json"].map((p) => newestMtime(path.join(ROOT, p))),
  );
  if (built > Math.max(...sources)) return;
  log(built ? "sources changed since the last build: rebuilding" : "building the app (first start only)");
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["build"], { cwd: ROOT, stdio: "inherit" });
    child.on("exit", resolve);
  });
  if (code !== 0) throw new Error(`next build failed (exit code ${code}); see the output above`);
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE")
        reject(new Error(`port ${port} is already in use: stop the program using it, or start Sluice with PORT=<another port>`));
      else if (error.code === "EACCES") reject(new Error(`no permission to listen on port ${port}: choose PORT above 1023`));
      else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}

async function main() {
  const env = readEnv();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      log(`${signal} received, stopping`);
      void shutdown(0);
    });
  }

  let databaseUrl = env.DATABASE_URL;
  if (databaseUrl) {
    await checkDatabase(databaseUrl);
  } else {
    const dataDir = path.resolve(ROOT, env.SLUICE_DATA_DIR);
    // A one-off command next to a running Sluice uses its database; starting another would stop that one's.
    const running = command === "reset-password" || command === "rotate-secret-key" ? await runningEmbeddedPostgresUrl(dataDir) : null;
    if (running) {
      databaseUrl = running;
    } else {
      const embedded = await startEmbeddedPostgres(dataDir, { log });
      cleanups.push(embedded.stop);
      databaseUrl = embedded.url;
    }
    // Route handlers read the URL from the environment of this same process.
    process.env.DATABASE_URL = databaseUrl;
    log(`embedded PostgreSQL running, data in ${dataDir}`);
  }
  // Before the embedded database stops, so its connections close instead of being cut.
  cleanups.push(closeDatabaseClients);
  const applied = await prepareDatabase(databaseUrl);
  if (applied.length > 0) log(`applied migrations: ${applied.join(", ")}`);

  if (command === "rotate-secret-key") {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const result = await rotateSecretKey(pool, { newKey: process.env.SLUICE_NEW_SECRET_KEY });
      log(`re-sealed ${result.resealed} secret${result.resealed === 1 ? "" : "s"} with key ${result.keyId}`);
      if (result.newKey) log("now set SLUICE_SECRET_KEY to the new key (SLUICE_NEW_SECRET_KEY) and restart every Sluice process");
    } finally {
      await pool.end();
    }
    return shutdown(0);
  }
  if (command === "reset-password") {
    const email = process.argv[3];
    if (!email) throw new Error("usage: npm run sluice -- reset-password <email>");
    const link = await createPasswordResetLink(getPrisma(), email);
    if (!link) throw new Error(`no user has the email ${email}`);
    console.log(`Open this link within an hour to set a new password for ${email} (it works once; other sessions end):\n${link}`);
    await shutdown(0);
  }
  const owner = await bootstrapOwnerFromEnv(getPrisma(), env);
  if (owner) log(`created the owner ${owner.email} from SLUICE_ADMIN_EMAIL`);

  const runWorker = async () => {
    const worker = await startWorker({
      connectionString: databaseUrl,
      concurrency: env.SLUICE_WORKER_CONCURRENCY,
      staleSeconds: env.SLUICE_WORKER_STALE_SECONDS,
      schedulerTickMs: env.SLUICE_SCHEDULER_TICK_MS,
    });
    cleanups.push(worker.stop);
    worker.done.catch((error: unknown) => {
      console.error(`sluice: the worker stopped: ${error instanceof Error ? error.message : String(error)}`);
      void shutdown(1);
    });
    log(`worker running (concurrency ${env.SLUICE_WORKER_CONCURRENCY})`);
  };

  if (command === "worker") {
    await runWorker();
    return;
  }
  if (command !== "start" && command !== "dev") throw new Error(`unknown command "${command}" (use start, dev, worker, rotate-secret-key or reset-password <email>)`);

  const dev = command === "dev";
  // A self-hosted data tool does not report its builds home unless its operator says so.
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  if (!dev) await buildIfNeeded();
  // Next would otherwise exit on SIGTERM before the worker and database are stopped.
  process.env.NEXT_MANUAL_SIG_HANDLE = "true";
  const { default: next } = await import("next");
  const app = next({ dev, dir: ROOT, hostname: "localhost", port: env.PORT });
  const handle = app.getRequestHandler();
  let ready = false;
  const server = createServer(
    frontDoor({ ...frontDoorConfig(env, { dev }), embedOriginsFor: (requestPath) => sharePageEmbedOrigins(getPrisma, requestPath) }, (request, response) => {
      if (!ready) {
        response.writeHead(503, { "content-type": "text/plain", "retry-after": "2" }).end("Sluice is starting…");
        return;
      }
      void handle(request, response);
    }),
  );
  // Listen before the slow prepare step so a taken port fails at once.
  await listen(server, env.PORT, env.HOST);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  await app.prepare();
  ready = true;
  if (env.SLUICE_WORKER === "on") await runWorker();
  else log("SLUICE_WORKER=off: run `npm run worker` to process jobs");
  log(`ready on http://localhost:${env.PORT}${env.HOST === "127.0.0.1" ? " (this machine only; set HOST=0.0.0.0 to listen on every interface)" : ` (listening on ${env.HOST})`}`);
}

main().catch(async (error: unknown) => {
  const message =
    error instanceof MigrationError || error instanceof Error ? error.message : `unexpected failure: ${String(error)}`;
  console.error(`sluice: ${message}`);
  await shutdown(1);
});
