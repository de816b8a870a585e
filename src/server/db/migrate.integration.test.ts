import { getDMMF } from "@prisma/get-dmmf";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { migrate, MigrationError } from "./migrate";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const PRISMA_TO_PG: Record<string, string> = {
  String: "text",
  Float: "double precision",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  Json: "jsonb",
  DateTime: "timestamp with time zone",
};

describe("migrations", () => {
  it("leave the database exactly as schema.prisma describes it (no drift)", async () => {
    const schema = await readFile(path.resolve(import.meta.dirname, "../../../prisma/schema.prisma"), "utf8");
    const dmmf = getDMMF({ datamodel: schema });
    if ("error" in dmmf) throw dmmf.error;
    const actual = await db.pool.query<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, column_name`,
    );
    const expected: typeof actual.rows = [];
    for (const model of dmmf.datamodel.models) {
      for (const field of model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum")) {
        const nativeType = field.nativeType?.[0];
        const dataType =
          field.kind === "enum" ? "USER-DEFINED" : nativeType === "Uuid" ? "uuid" : (PRISMA_TO_PG[field.type] ?? field.type);
        expected.push({
          table_name: model.dbName ?? model.name,
          column_name: field.dbName ?? field.name,
          data_type: dataType,
          udt_name: field.kind === "enum" ? field.type : expect.any(String),
          is_nullable: field.isRequired ? "NO" : "YES",
        });
      }
    }
    const byKey = (r: { table_name: string; column_name: string }) => `${r.table_name}.${r.column_name}`;
    expected.sort((a, b) => byKey(a).localeCompare(byKey(b)));
    const sorted = [...actual.rows].sort((a, b) => byKey(a).localeCompare(byKey(b)));
    expect(sorted).toEqual(expected);
  });

  it("record history the way Prisma does, and apply nothing twice", async () => {
    const history = await db.pool.query(
      `SELECT migration_name, length(checksum) AS checksum_length, applied_steps_count, finished_at IS NOT NULL AS finished
         FROM _prisma_migrations`,
    );
    expect(history.rows.length).toBeGreaterThan(0);
    for (const row of history.rows) expect(row).toMatchObject({ checksum_length: 64, applied_steps_count: 1, finished: true });
    expect(await migrate(db.url)).toEqual([]);
  });

  it("roll back a failing migration and name it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sluice-migrations-"));
    await mkdir(path.join(dir, "20990101000000_broken"));
    await writeFile(
      path.join(dir, "20990101000000_broken", "migration.sql"),
      "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;",
    );
    const failure = await migrate(db.url, dir).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MigrationError);
    expect(String((failure as Error).message)).toMatch(/20990101000000_broken.*no_such_table/);
    const leftover = await db.pool.query("SELECT to_regclass('half_done') AS t");
    expect(leftover.rows[0].t).toBeNull();
    const recorded = await db.pool.query("SELECT 1 FROM _prisma_migrations WHERE migration_name = '20990101000000_broken'");
    expect(recorded.rowCount).toBe(0);
  });
});
