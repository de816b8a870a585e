/**
 * The engine benchmark: a raw COPY of a generated air-quality CSV into an unlogged text
 * table, against a whole Sluice run on the same file (CSV source → validate with 6 rules
 * → select → derive → upsert into PostgreSQL, with quarantine and lineage), on the same
 * server. Prints where the time goes; the last line is for scripts:
 *   bench: rows=<N> ratio=<sluice/raw> peak_rss_mb=<peak RSS of the worker process that ran it>
 * Usage: npm run bench -- [--rows N] (default 1,000,000). DATABASE_URL, or an embedded PostgreSQL.
 */
import { createReadStream } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { startEmbeddedPostgres } from "../src/server/db/embedded";
import { prepareDatabase } from "../src/server/db/prepare";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { BENCH_HEADER } from "./generate";

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const rows = argument("rows", 1_000_000);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

async function rawCopy(url: string, file: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const columns = BENCH_HEADER.split(",").map((c) => `"${c}" text`).join(", ");
  await client.query(`DROP TABLE IF EXISTS bench_raw; CREATE UNLOGGED TABLE bench_raw (${columns})`);
  const started = performance.now();
  await pipeline(createReadStream(file), client.query(copyFrom("COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)")));
  const seconds = (performance.now() - started) / 1000;
  await client.query("DROP TABLE bench_raw");
  await client.end();
  return seconds;
}

/**
 * A worker process exactly as `npm run worker` starts it. Its peak RSS is read from the
 * kernel (VmHWM) when it stops, so it covers the whole run and nothing of this process.
 */
async function startWorkerProcess(url: string, dataDir: string) {
  // The flags and allocator setting of `npm run worker` (package.json), so the bench measures what ships.
  const child = spawn(process.execPath, ["--max-semi-space-size=4", "--import", "tsx", path.resolve(import.meta.dirname, "../src/server/main.ts"), "worker"], {
    env: { ...process.env, MALLOC_ARENA_MAX: "1", DATABASE_URL: url, SLUICE_DATA_DIR: dataDir, SLUICE_WORKER_CONCURRENCY: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the worker exited (code ${code}) before it was ready`)));
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("worker running")) resolve();
    });
  });
  return {
    async stop(): Promise<number> {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
      child.removeAllListeners("exit");
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT");
      await exited;
      return peakKb * 1024;
    },
  };
}

/**
 * Lineage of the loaded row that came from the file's last lines, as the lineage page asks
 * for it: the record read back from the file, then each node's output and the table. The
 * figure that matters is per step, at this many rows.
 */
async function lineageTimings(ctx: { prisma: unknown; pool: pg.Pool; workspaceId: string }, rows: number): Promise<void> {
  const { getLineage } = await import("../src/server/services/lineage");
  const last = await ctx.pool.query<{ id: string }>(
    "SELECT _sluice_lineage_id AS id FROM bench_air_quality ORDER BY length(_sluice_lineage_id) DESC, _sluice_lineage_id COLLATE \"C\" DESC LIMIT 1",
  );
  const id = last.rows[0]?.id;
  if (!id) throw new Error("no loaded row to trace");
  const times: number[] = [];
  let steps = 0;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const lineage = await getLineage(ctx as Parameters<typeof getLineage>[0], id);
    times.push(performance.now() - started);
    if (lineage.steps.some((s) => s.status !== "passed")) throw new Error(`lineage of ${id} did not pass every step: ${JSON.stringify(lineage.steps.map((s) => s.status))}`);
    steps = lineage.steps.length;
  }
  const best = Math.min(...times);
  console.log(
    `lineage of the row from line ${id.split(":")[2]} of ${rows.toLocaleString()}: ${best.toFixed(1)} ms for the file record and ${steps} steps ` +
      `(${(best / steps).toFixed(1)} ms per step; best of 3, first ${times[0]!.toFixed(1)} ms)`,
  );
}

/** A pattern that makes backtracking engines run for ages, timed where patterns run: Node (RE2) and PostgreSQL. */
async function patternTimings(url: string): Promise<void> {
  const { compilePattern } = await import("../src/nodes/validate/pattern");
  const pattern = compilePattern("^(a+)+$");
  const value = `${"a".repeat(50_000)}!`;
  let started = performance.now();
  const matched = pattern.test(value);
  const nodeMs = performance.now() - started;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  started = performance.now();
  const result = await client.query<{ matched: boolean }>("SELECT $1::text ~ $2::text AS matched", [value, pattern.postgres]);
  const sqlMs = performance.now() - started;
  await client.end();
  if (matched || result.rows[0]?.matched !== false) throw new Error("^(a+)+$ matched a value ending in '!'");
  console.log(`pattern ^(a+)+$ against 50,000 a's and a '!': ${nodeMs.toFixed(1)} ms in Node (RE2), ${sqlMs.toFixed(1)} ms in PostgreSQL`);
}

async function main() {
  const workDir = await mkdtemp(path.join(tmpdir(), "sluice-bench-"));
  // The embedded server may run as another user (when this runs as root): let it in.
  await chmod(workDir, 0o755);
  let stopDatabase = async () => {};
  try {
    let url = process.env.DATABASE_URL;
    if (!url) {
      const embedded = await startEmbeddedPostgres(path.join(workDir, "db"));
      url = embedded.url;
      stopDatabase = embedded.stop;
    }
    Object.assign(process.env, { DATABASE_URL: url, SLUICE_DATA_DIR: path.join(workDir, "data") });
    await prepareDatabase(url);
    // Imported after DATABASE_URL is set: they read it when first used.
    const { getPool, getPrisma, closeDatabaseClients } = await import("../src/server/db/client");
    const { defaultWorkspaceId } = await import("../src/server/workspace");
    const { saveUpload } = await import("../src/server/services/uploads");
    const { createPipeline } = await import("../src/server/services/pipelines");
    const { startRun } = await import("../src/server/services/runs");
    const { getRun } = await import("../src/server/services/runs");

    const file = path.join(workDir, "air-quality.csv");
    const child = await promisify(execFile)(process.execPath, ["--import", "tsx", path.resolve(import.meta.dirname, "generate.ts"), file, String(rows)]);
    const generated: { bad: number; bytes: number } = JSON.parse(child.stdout);
    console.log(`generated ${rows.toLocaleString()} rows (${mb(generated.bytes)} MB), ${generated.bad.toLocaleString()} bad`);

    const rawSeconds = await rawCopy(url, file);
    console.log(`raw COPY into an unlogged text table: ${rawSeconds.toFixed(2)} s (${Math.round(rows / rawSeconds).toLocaleString()} rows/s)`);

    const prisma = getPrisma();
    const ctx = { prisma, pool: getPool(), workspaceId: await defaultWorkspaceId(prisma), actor: "bench" };
    const upload = await saveUpload(ctx, { filename: "air-quality.csv", contentType: "text/csv", stream: createReadStream(file), sizeLimit: Number.MAX_SAFE_INTEGER });
    const created = await createPipeline(ctx, {
      name: "bench",
      graph: {
        format: 1,
        name: "bench",
        nodes: [
          { id: "src", type: "source.csv", config: { file: `upload:${upload.id}` } },
          {
            id: "val",
            type: "validate",
            config: {
              rules: [
                { field: "station", type: "string", required: true, pattern: "[A-Z]{2}[0-9]{4}" },
                { field: "measured_at", type: "timestamp", required: true },
                { field: "aqi", type: "integer", required: true, min: 0, max: 500 },
                { field: "pm25", type: "number", required: true, min: 0, max: 1000 },
                { field: "pm10", type: "number", min: 0 },
                { field: "city", type: "string", maxLength: 100 },
              ],
            },
          },
          { id: "sel", type: "transform.select", config: { columns: [{ from: "station" }, { from: "city" }, { from: "measured_at" }, { from: "aqi" }, { from: "pm25" }] } },
          { id: "band", type: "transform.derive", config: { column: "band", expression: "CASE WHEN aqi > 150 THEN 'unhealthy' WHEN aqi > 50 THEN 'moderate' ELSE 'good' END" } },
          { id: "dst", type: "destination.postgres", config: { table: "bench_air_quality", mode: "upsert", key: ["station", "measured_at"] } },
        ],
        edges: [
          { from: "src", to: "val" },
          { from: "val", to: "sel" },
          { from: "sel", to: "band" },
          { from: "band", to: "dst" },
        ],
      },
    });

    const worker = await startWorkerProcess(url, path.join(workDir, "data"));
    const started = performance.now();
    const { runId } = await startRun(ctx, { pipelineId: created.id, trigger: "api" });
    let run = await getRun(ctx, runId);
    while (run.status === "queued" || run.status === "running") {
      await new Promise((r) => setTimeout(r, 50));
      run = await getRun(ctx, runId);
    }
    const sluiceSeconds = (performance.now() - started) / 1000;
    const peakRss = await worker.stop();
    if (run.status !== "succeeded") throw new Error(`the bench run ${run.status}: ${run.error}`);

    console.log(`Sluice run: ${sluiceSeconds.toFixed(2)} s (${Math.round(rows / sluiceSeconds).toLocaleString()} rows/s)`);
    console.log("where the time goes:");
    for (const node of run.nodes) {
      const seconds = node.startedAt && node.finishedAt ? (node.finishedAt.getTime() - node.startedAt.getTime()) / 1000 : 0;
      console.log(
        `  ${node.nodeId.padEnd(5)} ${node.nodeType.padEnd(22)} ${seconds.toFixed(2).padStart(6)} s  in ${node.rowsIn} out ${node.rowsOut} rejected ${node.rowsRejected}`,
      );
    }
    const nodeSeconds = run.nodes.reduce(
      (sum, n) => sum + (n.startedAt && n.finishedAt ? (n.finishedAt.getTime() - n.startedAt.getTime()) / 1000 : 0),
      0,
    );
    console.log(`  between nodes (job pickup, bookkeeping): ${(sluiceSeconds - nodeSeconds).toFixed(2)} s`);
    const loaded = await getPool().query("SELECT count(*)::int AS n FROM bench_air_quality");
    const quarantined = await getPool().query("SELECT count(*)::int AS n FROM quarantined_records WHERE run_id = $1", [runId]);
    console.log(`loaded ${loaded.rows[0].n.toLocaleString()}, quarantined ${quarantined.rows[0].n.toLocaleString()} (of ${rows.toLocaleString()})`);
    if (loaded.rows[0].n + quarantined.rows[0].n !== rows) throw new Error("rows were lost: loaded + quarantined differs from the source rows");
    await lineageTimings(ctx, rows);
    await closeDatabaseClients();
    await patternTimings(url);

    const ratio = sluiceSeconds / rawSeconds;
    console.log(`bench: rows=${rows} ratio=${ratio.toFixed(2)} peak_rss_mb=${mb(peakRss)}`);
  } finally {
    await stopDatabase();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
