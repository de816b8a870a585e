import { z } from "zod";
import { getLineage } from "../../services/lineage";
import { defineEndpoint, reply } from "../endpoint";

export const getLineageEndpoint = defineEndpoint({
  method: "GET",
  path: "/lineage/:lineageId",
  summary: "Trace a record to its source",
  description:
    "The source node, file and line of a record (its `_sluice_lineage_id`, found on every destination row and quarantined " +
    "record), the raw record read back from the file, and the record after each node on its path: passed, quarantined " +
    "(with its errors), re-ingested (with the fix's history and the re-ingest run), or dropped by a filter. For a row an " +
    "aggregate made (`agg:` ids): the group, how many source records formed it and the first of them, each traceable.",
  tags: ["Lineage"],
  role: "viewer",
  resource: "Lineage record",
  params: z.object({ lineageId: z.string().min(1).max(300) }),
  responses: {
    200: {
      description: "Where the record came from and what became of it",
      schema: z.object({
        lineageId: z.string(),
        run: z.object({ id: z.uuid(), pipelineId: z.uuid(), version: z.number().int(), status: z.string() }),
        source: z.object({
          nodeId: z.string(),
          nodeType: z.string(),
          file: z.string().nullable(),
          uploadId: z.string().nullable(),
          line: z.number().int().optional().describe("CSV and NDJSON: the physical line the record starts on (the header is line 1)"),
          index: z.number().int().optional().describe("JSON array: the element's 0-based position"),
        }),
        hash: z.string(),
        record: z.record(z.string(), z.unknown()).nullable(),
        raw: z.string().nullable(),
        aggregate: z
          .object({
            groupBy: z.array(z.string()),
            count: z.number().int().nullable(),
            sources: z.array(z.object({ lineageId: z.string(), record: z.record(z.string(), z.unknown()) })),
          })
          .optional()
          .describe("For a row an aggregate made: its group-by columns, how many source records formed it, and the first of them"),
        steps: z.array(z.object({ nodeId: z.string(), nodeType: z.string(), title: z.string(), status: z.string() }).loose()),
      }),
    },
  },
  handler: async ({ ctx, params }) => reply(200, await getLineage(ctx, params.lineageId)),
});
