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

describe("worker heartbeats", () => {
  it("take back the jobs of a worker that stopped beating, and only those", async () => {
    const heartbeat = startHeartbeat(db.pool, { staleSeconds: 2 });
    heartbeat.add("pool-alive");
    await new Promise((r) => setTimeout(r, 100));
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
});
