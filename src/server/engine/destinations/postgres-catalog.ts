/** Reads what a destination table looks like from PostgreSQL's catalog. */
import type pg from "pg";
import type { ExistingColumn, ExistingTable, ExistingUniqueIndex } from "./postgres-plan";

export type TRelationKind = "table" | "other";

export interface FoundRelation {
  oid: number;
  kind: TRelationKind;
  /** What PostgreSQL calls it when it is not a table ("view", "materialized view"…). */
  kindName: string;
}

const RELATION_KINDS: Record<string, string> = {
  r: "table",
  p: "partitioned table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
  S: "sequence",
  i: "index",
  I: "partitioned index",
  c: "composite type",
  t: "TOAST table",
};

export async function schemaExists(client: pg.ClientBase, schema: string): Promise<boolean> {
  const result = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
  return result.rowCount === 1;
}

export async function findRelation(client: pg.ClientBase, schema: string, table: string): Promise<FoundRelation | null> {
  const result = await client.query<{ oid: number; relkind: string }>(
    `SELECT c.oid, c.relkind::text AS relkind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  const row = result.rows[0];
  if (!row) return null;
  const kindName = RELATION_KINDS[row.relkind] ?? `relation of kind ${row.relkind}`;
  return { oid: row.oid, kind: row.relkind === "r" || row.relkind === "p" ? "table" : "other", kindName };
}

export async function readTable(client: pg.ClientBase, oid: number): Promise<ExistingTable> {
  const columns = await client.query<ExistingColumn>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS "notNull",
            (atthasdef AND attgenerated = '') OR attidentity <> '' AS "hasDefault", attgenerated <> '' AS generated
       FROM pg_attribute
      WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped
      ORDER BY attnum`,
    [oid],
  );
  // Partial and expression indexes cannot decide whether two rows have the same key;
  // INCLUDE columns (past indnkeyatts) are not part of the key.
  const indexes = await client.query<ExistingUniqueIndex>(
    `SELECT ic.relname AS name,
            ARRAY(SELECT a.attname::text
                    FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                   WHERE k.position <= i.indnkeyatts
                   ORDER BY k.position) AS columns
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid
        AND i.indpred IS NULL AND i.indexprs IS NULL
      ORDER BY i.indisprimary DESC, ic.relname`,
    [oid],
  );
  return { columns: columns.rows, uniqueIndexes: indexes.rows };
}
