/**
 * The heartbeat's own thread: it writes this process's beats on its own event loop and its
 * own connection, so a job that keeps the main thread busy (a long synchronous parse, a slow
 * pattern) cannot make a healthy worker look dead and have its job taken over and run twice.
 */
import { parentPort, workerData } from "node:worker_threads";
import pg from "pg";

export interface THeartbeatThreadData {
  connectionString: string;
  processId: string;
  beatEveryMs: number;
}

/** From the main thread: a locker id to beat for, or the end. */
export type THeartbeatThreadMessage = { add: string } | { stop: true };

const { connectionString, processId, beatEveryMs } = workerData as THeartbeatThreadData;
const lockerIds = new Set<string>();
let client: pg.Client | undefined;
let stopped = false;

async function connection(): Promise<pg.Client> {
  if (client) return client;
  const fresh = new pg.Client({ connectionString, connectionTimeoutMillis: Math.max(1000, beatEveryMs) });
  // A lost connection is replaced at the next beat.
  fresh.on("error", () => {
    if (client === fresh) client = undefined;
  });
  await fresh.connect();
  client = fresh;
  return fresh;
}

async function beat(): Promise<void> {
  if (lockerIds.size === 0) return;
  try {
    await (await connection()).query(
      `INSERT INTO worker_heartbeats (worker_id, process_id, heartbeat_at)
       SELECT unnest($1::text[]), $2, now()
       ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`,
      [[...lockerIds], processId],
    );
  } catch (error) {
    const lost = client;
    client = undefined;
    void lost?.end().catch(() => {});
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}

async function loop(): Promise<void> {
  while (!stopped) {
    await beat();
    await new Promise((resolve) => setTimeout(resolve, beatEveryMs));
  }
}

parentPort?.on("message", (message: THeartbeatThreadMessage) => {
  if ("add" in message) {
    lockerIds.add(message.add);
    void beat();
    return;
  }
  stopped = true;
  void (client?.end() ?? Promise.resolve())
    .catch(() => {})
    .finally(() => process.exit(0));
});

void loop();
