import { createServer, type AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { isTransientError } from "./transient-error";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** The error a real PostgreSQL (or the network) gives for `act`. */
async function errorOf(act: () => Promise<unknown>): Promise<unknown> {
  try {
    await act();
  } catch (error) {
    return error;
  }
  throw new Error("expected the action to fail");
}

async function ownClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url });
  client.on("error", () => {});
  await client.connect();
  return client;
}

describe("errors that heal by trying again", () => {
  it("a connection cut by the server mid-query", async () => {
    const victim = await ownClient();
    const pid = (await victim.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    const sleeping = errorOf(() => victim.query("SELECT pg_sleep(30)"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await db.pool.query("SELECT pg_terminate_backend($1)", [pid]);
    expect(isTransientError(await sleeping)).toBe(true);
    await victim.end().catch(() => {});
  });

  it("a statement timeout and a deadlock", async () => {
    const client = await ownClient();
    try {
      expect(isTransientError(await errorOf(() => client.query("SET statement_timeout = 50; SELECT pg_sleep(5)")))).toBe(true);
      await client.query("RESET statement_timeout");
      await client.query("CREATE TABLE pair (id int PRIMARY KEY, n int); INSERT INTO pair VALUES (1, 0), (2, 0)");
      const other = await ownClient();
      await client.query("BEGIN; UPDATE pair SET n = 1 WHERE id = 1");
      await other.query("BEGIN; UPDATE pair SET n = 1 WHERE id = 2");
      // Each waits for the other's row: PostgreSQL picks one as the deadlock victim, the other goes through.
      const outcomes = await Promise.allSettled([client.query("UPDATE pair SET n = 2 WHERE id = 2"), other.query("UPDATE pair SET n = 2 WHERE id = 1")]);
      const victim = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : [])).find((e) => (e as { code?: string }).code === "40P01");
      expect(victim).toBeDefined();
      expect(isTransientError(victim)).toBe(true);
      await other.end();
    } finally {
      await client.end();
    }
  });

  it("a refused connection", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const client = new pg.Client({ host: "127.0.0.1", port, user: "nobody", connectionTimeoutMillis: 2000 });
    expect(isTransientError(await errorOf(() => client.connect()))).toBe(true);
  });

  it("a cause of a wrapping error", () => {
    expect(isTransientError(new Error("the source stopped", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }))).toBe(true);
  });
});

describe("errors that fail the same way every time", () => {
  it("a NOT NULL violation, a missing column, a bad cast and the engine's own messages", async () => {
    await db.pool.query("CREATE TABLE strict (born int NOT NULL)");
    expect(isTransientError(await errorOf(() => db.pool.query("INSERT INTO strict VALUES (NULL)")))).toBe(false);
    expect(isTransientError(await errorOf(() => db.pool.query("SELECT nope FROM strict")))).toBe(false);
    expect(isTransientError(await errorOf(() => db.pool.query("SELECT 'Ada'::int")))).toBe(false);
    expect(isTransientError(new Error('the pinned pipeline version has no node "x"'))).toBe(false);
    expect(isTransientError("not even an error")).toBe(false);
  });
});
