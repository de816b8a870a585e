import { z } from "zod";
import { createSamplePipeline } from "../../services/sample-pipeline";
import { defineEndpoint, reply } from "../endpoint";

export const createSamplePipelineEndpoint = defineEndpoint({
  method: "POST",
  path: "/sample-pipeline",
  summary: "Create the sample pipeline",
  description:
    "Uploads the bundled weather dataset (50 daily observations, 5 of them broken), creates a pipeline that validates " +
    "and loads it into a new table, and starts its first run: a quick way to see runs, quarantine and lineage.",
  tags: ["Pipelines"],
  role: "editor",
  responses: {
    202: {
      description: "Created; the first run is queued",
      schema: z.object({ pipelineId: z.uuid(), version: z.number().int().positive(), runId: z.uuid(), table: z.string() }),
    },
  },
  handler: async ({ ctx }) => reply(202, await createSamplePipeline(ctx, "api")),
});
