import { z } from "zod";

/** Environment, validated once. Every server module reads settings from here. */
const ZEnv = z.object({
  // Empty counts as unset, so `DATABASE_URL= npm start` means "use the embedded database".
  DATABASE_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address the server listens on: loopback only by default; `0.0.0.0` to be reachable from other machines (containers, a proxy elsewhere). */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** `on` when a reverse proxy in front sets X-Forwarded-Host/Proto/For; otherwise those headers are the client's word and are dropped. */
  SLUICE_TRUST_PROXY: z.enum(["on", "off"]).default("off"),
  /** An admin bearer token for the REST API, for automation that cannot use the UI. */
  SLUICE_API_TOKEN: z.string().min(16, "SLUICE_API_TOKEN must be at least 16 characters").optional(),
  /**
   * The key that seals secrets at rest (32 bytes, base64 or hex). Unset: a key is generated
   * on first start into <SLUICE_DATA_DIR>/secret.key (mode 0600); keep that file with backups.
   */
  SLUICE_SECRET_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  /** The key before the last rotation, while values sealed with it may still exist. */
  SLUICE_SECRET_KEY_PREVIOUS: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  /** Creates the first owner without the setup page (Docker, CI), only while Sluice has no user. */
  SLUICE_ADMIN_EMAIL: z.preprocess((v) => (v === "" ? undefined : v), z.email("SLUICE_ADMIN_EMAIL must be an email address").optional()),
  SLUICE_ADMIN_PASSWORD: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  /** The first owner's display name (default "Admin"). */
  SLUICE_ADMIN_NAME: z.preprocess((v) => (v === "" ? undefined : v), z.string().max(200).optional()),
  /** Signs session cookies; default: a key generated into <SLUICE_DATA_DIR>/auth.key. Set it when several web processes serve one Sluice. */
  SLUICE_AUTH_SECRET: z.preprocess((v) => (v === "" ? undefined : v), z.string().min(32, "SLUICE_AUTH_SECRET must be at least 32 characters").optional()),
  /** `off` keeps the web process from running jobs (run `npm run worker` separately). */
  SLUICE_WORKER: z.enum(["on", "off"]).default("on"),
  /** Where the embedded PostgreSQL and uploaded files live. */
  SLUICE_DATA_DIR: z.string().default(".data"),
  SLUICE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Seconds without a heartbeat after which a dead worker's jobs are retried elsewhere (beats come from their own thread, so a busy worker keeps beating). */
  SLUICE_WORKER_STALE_SECONDS: z.coerce.number().min(1).max(3600).default(10),
  /** Records per committed chunk when a source streams a file (each chunk is a resume point). */
  SLUICE_CHUNK_ROWS: z.coerce.number().int().min(1).default(250_000),
  /** The address people reach Sluice at, for links in alert messages (default: http://localhost:PORT). */
  SLUICE_PUBLIC_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
  /** An OpenLineage HTTP endpoint (e.g. Marquez at http://host:5000); each run's events are POSTed to <url>/api/v1/lineage. */
  OPENLINEAGE_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
  /** A bearer key the OpenLineage endpoint wants, if any. */
  OPENLINEAGE_API_KEY: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  /** The OpenLineage job namespace of this Sluice (default "sluice"). */
  OPENLINEAGE_NAMESPACE: z.string().min(1).default("sluice"),
  /** Attempts to deliver one alert message before it is shown as failed (backoff between them). */
  SLUICE_ALERT_DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(6),
  /** How often each worker looks for due schedules, in milliseconds. */
  SLUICE_SCHEDULER_TICK_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Largest accepted upload, in bytes (default 2 GiB). */
  SLUICE_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(2 * 1024 ** 3),
});

export type TEnv = z.infer<typeof ZEnv>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): TEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${issues}`);
  }
  return parsed.data;
}
