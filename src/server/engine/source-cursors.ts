/**
 * Incremental sources' cursors: a source reads the cursor its pipeline's last successful run
 * committed, records the highest value it saw on its own node run, and the run's success
 * commits those values in the transaction that finishes the run, so a failed or canceled run
 * never moves a cursor past records that did not arrive.
 */
import type pg from "pg";

/** The cursor the last successful run of `runId`'s pipeline left for `nodeId`; undefined before any. */
export async function committedCursor(client: pg.ClientBase | pg.Pool, runId: string, nodeId: string): Promise<string | undefined> {
  const found = await client.query<{ value: string }>(
    `SELECT c.value FROM source_cursors c JOIN runs r ON r.pipeline_id = c.pipeline_id WHERE r.id = $1 AND c.node_id = $2`,
    [runId, nodeId],
  );
  return found.rows[0]?.value;
}

/** Records the highest cursor value this node's run saw, in the transaction that completes the node. */
export async function recordRunCursor(client: pg.ClientBase, runId: string, nodeId: string, value: string): Promise<void> {
  await client.query("UPDATE node_runs SET cursor = $3 WHERE run_id = $1 AND node_id = $2", [runId, nodeId, value]);
}

/** The run succeeded: each cursor its sources saw becomes their pipeline's. */
export async function commitRunCursors(client: pg.ClientBase, runId: string): Promise<void> {
  await client.query(
    `INSERT INTO source_cursors (pipeline_id, node_id, value, run_id, updated_at)
     SELECT r.pipeline_id, n.node_id, n.cursor, r.id, clock_timestamp()
       FROM node_runs n JOIN runs r ON r.id = n.run_id
      WHERE n.run_id = $1 AND n.cursor IS NOT NULL
     ON CONFLICT (pipeline_id, node_id) DO UPDATE SET value = EXCLUDED.value, run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at`,
    [runId],
  );
}
