/** `destination.postgres`: loads its input into a PostgreSQL table (engine/destinations/postgres). */
import { ident, sql } from "@/nodes/sql";
import postgresDestination from "@/nodes/destinations/postgres";
import { loadPostgres } from "../../destinations/postgres";
import { inputOf } from "../../node-job";
import { defineRunner } from "../contract";

export default defineRunner("destination", {
  node: postgresDestination,
  load: async (job, config, client) => {
    const result = await loadPostgres({ client, input: inputOf(job), config, runId: job.runId, nodeId: job.node.id, signal: job.signal });
    return {
      rowsIn: result.rowsIn,
      rowsOut: result.rowsWritten + result.rowsUnchanged,
      rowsRejected: 0,
      logs: [...result.log, `${result.rowsWritten} rows written, ${result.rowsUnchanged} already up to date`],
    };
  },
  loadedRow: (config, previous) => ({
    relation: sql`${ident(config.schema, config.table)}`,
    // An upserted table is unique on its key: find the row the record became by it.
    ...(config.mode === "upsert" && previous ? { key: { columns: config.key ?? [], values: previous } } : {}),
  }),
});
