import { z } from "zod";
import { ZPipelineGraph } from "@/nodes/pipeline";

/** Shared response pieces. Dates and BigInts travel as ISO strings and numbers (see openapi.ts). */
export const ZRunStatus = z.enum(["queued", "running", "succeeded", "failed", "skipped", "canceled"]);

export const ZPipelineName = z.string().trim().min(1, "a pipeline needs a name").max(200);

export const ZPipelineRef = z.object({ id: z.uuid(), version: z.number().int().positive() });

export const ZPipelineDetail = z.object({
  id: z.uuid(),
  name: z.string(),
  version: z.number().int().describe("The version shown"),
  latestVersion: z.number().int(),
  graph: ZPipelineGraph,
  createdAt: z.date(),
  updatedAt: z.date(),
  versionCreatedAt: z.date(),
  versionCreatedBy: z.string(),
});
