import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "@/nodes/sql";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { query, transaction, transactionStream } from "./query";

let db: TestDatabase;
/** One connection, so a transaction left open would be seen by the next statement. */
let single: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  single = new pg.Pool({ connectionString: db.url, max: 1 });
  await db.pool.query("CREATE TABLE notes (text text NOT NULL)");
});
afterAll(async () => {
  await single?.end();
  await db?.drop();
});
beforeEach(async () => {
  await db.pool.query("TRUNCATE notes");
});

const notes = async () => (await query<{ text: string }>(single, sql`SELECT text FROM notes ORDER BY text`)).rows.map((r) => r.text);
const note = (client: pg.ClientBase, text: string) => query(client, sql`INSERT INTO notes (text) VALUES (${text})`);

describe("transaction", () => {
  it("commits what the work did when it resolves, and hands back what it returned", async () => {
    expect(await transaction(single, async (client) => (await note(client, "kept")).rowCount)).toBe(1);
    expect(await notes()).toEqual(["kept"]);
  });

  it("rolls back when the work throws, and the connection is usable afterwards", async () => {
    await expect(
      transaction(single, async (client) => {
        await note(client, "lost");
        throw new Error("the work failed");
      }),
    ).rejects.toThrow("the work failed");
    expect(await notes()).toEqual([]);
  });

  it("rolls back a scratch transaction that succeeded, with its settings local to it", async () => {
    const zone = await transaction(
      single,
      async (client) => {
        await note(client, "scratch");
        return (await query<{ zone: string }>(client, sql`SELECT current_setting('TimeZone') AS zone`)).rows[0]!.zone;
      },
      { rollback: true, settings: { TimeZone: "Pacific/Chatham" } },
    );
    expect(zone).toBe("Pacific/Chatham");
    expect(await notes()).toEqual([]);
    expect((await query<{ zone: string }>(single, sql`SELECT current_setting('TimeZone') AS zone`)).rows[0]!.zone).not.toBe("Pacific/Chatham");
  });
});

describe("transactionStream", () => {
  async function* counting(client: pg.ClientBase) {
    for (const text of ["a", "b", "c"]) {
      await note(client, text);
      yield text;
    }
  }

  it("commits once the reader has read everything", async () => {
    const read: string[] = [];
    for await (const text of await transactionStream(single, (client) => note(client, "start"), counting)) read.push(text);
    expect(read).toEqual(["a", "b", "c"]);
    expect(await notes()).toEqual(["a", "b", "c", "start"]);
  });

  it("rolls back when the reader stops early, and gives the connection back outside any transaction", async () => {
    for await (const text of await transactionStream(single, (client) => note(client, "start"), counting)) {
      if (text === "b") break;
    }
    // The pool's only connection answers: it is idle again, and saw no uncommitted row.
    expect(await notes()).toEqual([]);
  });

  it("rolls back when the reading throws, and the error reaches the reader", async () => {
    const failing = async function* (client: pg.ClientBase) {
      yield* counting(client);
      await query(client, sql`SELECT 1/0`);
    };
    const read: string[] = [];
    await expect(async () => {
      for await (const text of await transactionStream(single, async () => {}, failing)) read.push(text);
    }).rejects.toThrow(/division by zero/);
    expect(read).toEqual(["a", "b", "c"]);
    expect(await notes()).toEqual([]);
  });

  it("rejects before any value is read when the start fails, and keeps nothing it did", async () => {
    await expect(
      transactionStream(
        single,
        async (client) => {
          await note(client, "start");
          await query(client, sql`SELECT * FROM no_such_table`);
        },
        counting,
      ),
    ).rejects.toThrow(/no_such_table/);
    expect(await notes()).toEqual([]);
  });

  it("refuses writes in a read-only stream", async () => {
    await expect(transactionStream(single, (client) => note(client, "start"), counting, { readOnly: true })).rejects.toThrow(/read-only transaction/);
    expect(await notes()).toEqual([]);
  });
});
