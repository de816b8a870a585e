import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { startHeartbeat } from "./heartbeat";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

async function lockedJob(lockedBy: string, secondsAgo: number): Promise<string> {
  const job = await db.pool.query<{ id: string }>(
    "SELECT id::text FROM graphile_worker.add_job('run-node', '{}'::json)",
  );
  const id = job.rows[0]!.id;
  await db.pool.query(
    "UPDATE graphile_worker._private_jobs SET locked_by = $2, locked_at = now() - make_interval(secs => $3) WHERE id = $1::bigint",
    [id, lockedBy, secondsAgo],
  );
  return id;
}

async function lockOf(id: string): Promise<string | null> {
  const row = await db.pool.query("SELECT locked_by FROM graphile_worker.jobs WHERE id = $1::bigint", [id]);
  return row.rows[0].locked_by;
}

/** Beats start once the heartbeat's thread is up. */
async function firstBeat(workerId: string): Promise<void> {
  for (let tries = 0; (await db.pool.query("SELECT 1 FROM worker_heartbeats WHERE worker_id = $1", [workerId])).rowCount === 0; tries++) {
    if (tries > 200) throw new Error(`no beat for ${workerId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("worker heartbeats", () => {
  it("take back the jobs of a worker that stopped beating, and only those", async () => {
    const heartbeat = startHeartbeat(db.pool, { staleSeconds: 2, connectionString: db.url });
    heartbeat.add("pool-alive");
    await firstBeat("pool-alive");
    const held = await lockedJob("pool-alive", 60);
    const orphaned = await lockedJob("pool-killed", 60);
    const fresh = await lockedJob("pool-just-started", 0);
    await heartbeat.reclaim();
    expect(await lockOf(held)).toBe("pool-alive");
    expect(await lockOf(orphaned)).toBeNull();
    // Too young to judge: its worker may not have written its first beat yet.
    expect(await lockOf(fresh)).toBe("pool-just-started");
    await heartbeat.stop();
    await heartbeat.reclaim();
    expect(await lockOf(held)).toBeNull();
  });

  it("go on while a job keeps the main thread busy, so a healthy worker's job is not taken over and run twice", async () => {
    const heartbeat = startHeartbeat(db.pool, { staleSeconds: 2, connectionString: db.url });
    heartbeat.add("pool-busy");
    await firstBeat("pool-busy");
    const held = await lockedJob("pool-busy", 60);
    // A job's synchronous work, more than twice the staleness window, with no turn of the event loop.
    for (const until = Date.now() + 5000; Date.now() < until; );
    await heartbeat.reclaim();
    expect(await lockOf(held)).toBe("pool-busy");
    await heartbeat.stop();
  });
});
