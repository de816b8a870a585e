import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ident, sql } from "@/nodes/sql";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { createKeptRecordsTable, createStagingTable } from "./run";
import { readKeptRecord, stageRecords, type TRecordLoadColumn, type TRecordsCheckpoint, type TStagedRecord } from "./stage-records";

let db: TestDatabase;
let client: pg.PoolClient;
let workspaceId: string;
let counter = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  client = await db.pool.connect();
  workspaceId = randomUUID();
  await client.query("INSERT INTO workspaces (id, name) VALUES ($1, 'records tests')", [workspaceId]);
});

afterAll(async () => {
  client?.release();
  await db?.drop();
});

const LOAD: TRecordLoadColumn[] = [
  { name: "id", type: "integer" },
  { name: "name", type: "string" },
  { name: "seen", type: "date" },
];

function record(ordinal: number, values: Record<string, string | null>, extra: Partial<TStagedRecord> = {}): TStagedRecord {
  return { ordinal, values, raw: JSON.stringify(values), ...extra };
}

async function* yieldAll(records: TStagedRecord[], afterOrdinal?: number): AsyncGenerator<TStagedRecord> {
  for (const r of records) if (afterOrdinal === undefined || r.ordinal > afterOrdinal) yield r;
}

async function stage(records: TStagedRecord[], options: { chunkRows?: number; resumeFrom?: TRecordsCheckpoint; table?: string; keep?: boolean; seek?: boolean } = {}) {
  const table = options.table ?? `records ${++counter}`;
  const target = sql`${ident(table)}`;
  const kept = options.keep ? sql`${ident(`${table}#records`)}` : undefined;
  if (!options.resumeFrom) {
    await createStagingTable(client, target, LOAD);
    if (kept) await createKeptRecordsTable(client, kept);
  }
  const runId = randomUUID();
  const checkpoints: TRecordsCheckpoint[] = [];
  const result = await stageRecords({
    client,
    target,
    load: LOAD,
    lineagePrefix: "run:src:",
    quarantine: { workspaceId, runId, nodeId: "src" },
    ...(kept ? { keptRecords: kept } : {}),
    resumeFrom: options.resumeFrom ?? null,
    chunkRows: options.chunkRows,
    records: (resume) => yieldAll(records, options.seek ? resume?.afterOrdinal : undefined),
    saveCheckpoint: async (_client, checkpoint) => {
      checkpoints.push(checkpoint);
    },
  });
  const rows = (await client.query(`SELECT id, name, to_char(seen, 'YYYY-MM-DD') AS seen, _sluice_lineage_id FROM ${client.escapeIdentifier(table)} ORDER BY id`)).rows;
  const quarantine = (await client.query("SELECT lineage_id, record, errors FROM quarantined_records WHERE run_id = $1 ORDER BY id", [runId])).rows;
  return { result, rows, quarantine, checkpoints, table, kept };
}

describe("stageRecords", () => {
  it("loads the records' text as typed columns, quarantines what does not fit, and counts every record", async () => {
    const { result, rows, quarantine } = await stage([
      record(1, { id: "1", name: "Oslo", seen: "2026-01-02" }),
      record(2, { id: "x", name: "Bergen", seen: "2026-13-01" }),
      record(4, { id: "3", name: "", seen: "" }),
      record(5, { id: "4" }, { problems: ["the column name appears twice"] }),
    ]);
    expect(rows.map((r) => [r.id, r.name, r.seen])).toEqual([
      ["1", "Oslo", "2026-01-02"],
      ["3", "", null],
    ]);
    expect(rows[0]._sluice_lineage_id).toMatch(/^run:src:1:[0-9a-f]{8}$/);
    expect(result).toMatchObject({ rowsIn: 4, rowsOut: 2, rowsRejected: 2, lastOrdinal: 5 });
    expect(quarantine[0].lineage_id).toMatch(/^run:src:2:/);
    expect(quarantine[0].errors.map((e: { field: string }) => e.field)).toEqual(["id", "seen"]);
    expect(quarantine[0].record).toEqual({ id: "x", name: "Bergen", seen: "2026-13-01" });
    expect(quarantine[1].errors).toEqual([{ field: "_raw", rule: "record", value: null, message: "the column name appears twice" }]);
  });

  it("commits in chunks and resumes after the last committed one with the rows and checksum of an uninterrupted run", async () => {
    const records = Array.from({ length: 7 }, (_, i) => record(i + 1, { id: String(i + 1), name: `n${i}`, seen: null }));
    const whole = await stage(records, { chunkRows: 3 });
    expect(whole.checkpoints.map((c) => c.lastOrdinal)).toEqual([3, 6, 7]);

    const first = await stage(records.slice(0, 3), { chunkRows: 3 });
    for (const seek of [false, true]) {
      const table = `resumed ${++counter}`;
      await client.query(`CREATE TABLE ${client.escapeIdentifier(table)} AS SELECT * FROM ${client.escapeIdentifier(first.table)}`);
      const resumed = await stage(records, { chunkRows: 3, resumeFrom: first.checkpoints[0], table, seek });
      expect(resumed.result).toEqual(whole.result);
      expect(resumed.rows).toEqual(whole.rows);
    }
  });

  it("refuses ordinals that do not increase", async () => {
    await expect(stage([record(2, { id: "1" }), record(2, { id: "2" })])).rejects.toThrow("ordinals must increase");
  });

  it("keeps every record's raw text and place for lineage when asked", async () => {
    const { rows, kept } = await stage([record(7, { id: "1", name: "a", seen: null }, { raw: '{"id":1,"name":"a"}', where: { page: 2, index: 0 } })], { keep: true });
    expect(await readKeptRecord(db.pool, kept!, rows[0]._sluice_lineage_id)).toEqual({ where: { page: 2, index: 0 }, raw: '{"id":1,"name":"a"}' });
    expect(await readKeptRecord(db.pool, kept!, "run:src:8:00000000")).toBeNull();
    expect(await readKeptRecord(db.pool, sql`${ident("no such table")}`, "run:src:8:00000000")).toBeUndefined();
  });
});
