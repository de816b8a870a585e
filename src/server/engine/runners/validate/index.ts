/**
 * `validate`: its rules compile to SQL over the input (engine/validate). Fused into a CSV
 * source (PlannedNode.fusedInto), the per-field rules already ran while the file streamed,
 * and only the set rules (unique, references) are left.
 */
import { z } from "zod";
import { sql } from "@/nodes/sql";
import validateNode from "@/nodes/validate/validate";
import { query } from "../../../db/query";
import { ZCsvCheckpoint } from "../../csv/stage";
import { atomically, inputOf, tableChecksum } from "../../node-job";
import { nodeRelation } from "../../plan";
import { settleQuarantine, withSettled } from "../../quarantine-memory";
import { applySetRules, validateInSql } from "../../validate/validate-in-sql";
import { defineRunner } from "../contract";

/** Stats a fused source leaves for its validate node, in its final checkpoint. */
const ZFusedStats = ZCsvCheckpoint.extend({ done: z.literal(true) });

export default defineRunner("validate", {
  node: validateNode,
  execute: async (job, config) => {
    const { node, runId } = job;
    const target = nodeRelation(runId, node.id);
    const quarantine = { workspaceId: job.workspaceId, runId, nodeId: node.id };
    if (node.fusedInto) {
      const source = nodeRelation(runId, node.fusedInto);
      await atomically(job, async (client) => {
        const stored = await client.query<{ checkpoint: unknown }>("SELECT checkpoint FROM node_runs WHERE run_id = $1 AND node_id = $2", [runId, node.fusedInto]);
        const stats = ZFusedStats.parse(stored.rows[0]?.checkpoint);
        const rowsRejected = await applySetRules({ client, table: source, config, quarantine });
        const settled = await settleQuarantine({ client, plan: job.plan, node, rules: config, runId, workspaceId: job.workspaceId, target: source });
        await query(client, sql`DROP VIEW IF EXISTS ${target}`);
        await query(client, sql`CREATE VIEW ${target} AS SELECT * FROM ${source}`);
        const counts = {
          rowsIn: stats.rowsIn,
          rowsOut: stats.rowsOut - rowsRejected,
          rowsRejected: stats.rowsRejected + rowsRejected,
          checksum: rowsRejected === 0 && settled.remembered === 0 ? stats.checksum : null,
          logs: [`per-field rules checked while the file streamed; ${rowsRejected} more rejected by unique/reference rules`],
        };
        return withSettled(counts, settled);
      });
      return;
    }
    await atomically(job, async (client) => {
      await query(client, sql`DROP TABLE IF EXISTS ${target}`);
      await client.query("DELETE FROM quarantined_records WHERE run_id = $1 AND node_id = $2", [runId, node.id]);
      const result = await validateInSql({ client, input: inputOf(job), config, target, quarantine });
      const settled = await settleQuarantine({ client, plan: job.plan, node, rules: config, runId, workspaceId: job.workspaceId, target });
      return { ...withSettled(result, settled), checksum: await tableChecksum(client, target) };
    });
  },
  check: ({ client, config, input, target, quarantine }) => validateInSql({ client, input, config, target, quarantine }),
  rules: (config) => config,
});
