import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { z } from "zod";
import postgresDestination from "@/nodes/destinations/postgres";
import type { ZPipelineGraph } from "@/nodes/pipeline";
import csvSource from "@/nodes/sources/csv";
import validateNode from "@/nodes/validate/validate";
import { WEATHER_OBSERVATIONS_CSV } from "../samples/weather-observations";
import { createPipeline } from "./pipelines";
import { startRun, type RunCtx } from "./runs";
import { saveUpload } from "./uploads";

export const SAMPLE_PIPELINE_NAME = "Sample: Norwegian weather observations";

function sampleGraph(uploadId: string, table: string) {
  return {
    format: 1,
    name: SAMPLE_PIPELINE_NAME,
    nodes: [
      {
        id: "observations",
        label: "Weather observations",
        type: csvSource.type,
        config: { file: `upload:${uploadId}` },
        position: { x: 0, y: 0 },
      },
      {
        id: "check",
        label: "Plausible readings",
        type: validateNode.type,
        config: {
          rules: [
            { field: "station_id", type: "string", required: true, pattern: "SN[0-9]+" },
            { field: "date", type: "date", required: true },
            { field: "max_temp_c", type: "number", required: true, min: -60, max: 50 },
            { field: "min_temp_c", type: "number", required: true, min: -60, max: 50 },
            { field: "precipitation_mm", type: "number", required: true, min: 0, max: 300 },
            { field: "wind_speed_ms", type: "number", required: true, min: 0, max: 75 },
          ],
        },
        position: { x: 280, y: 0 },
      },
      {
        id: "load",
        label: "Observations table",
        type: postgresDestination.type,
        config: { table, mode: "upsert", key: ["station_id", "date"] },
        position: { x: 560, y: 0 },
      },
    ],
    edges: [
      { from: "observations", to: "check" },
      { from: "check", to: "load" },
    ],
  } satisfies z.input<typeof ZPipelineGraph>;
}

/**
 * A ready pipeline over a bundled dataset, already running, so a newcomer sees a run, its
 * quarantine and its lineage without bringing data. Each call makes its own upload, pipeline
 * and table: the sample stays a plain pipeline the user may change or delete.
 */
export async function createSamplePipeline(ctx: RunCtx, trigger: "manual" | "api") {
  const upload = await saveUpload(ctx, {
    filename: "weather-observations.csv",
    contentType: "text/csv",
    stream: Readable.from([Buffer.from(WEATHER_OBSERVATIONS_CSV)]),
    sizeLimit: Number.MAX_SAFE_INTEGER,
  });
  const table = `sample_weather_${randomBytes(3).toString("hex")}`;
  const pipeline = await createPipeline(ctx, { graph: sampleGraph(upload.id, table) });
  const { runId } = await startRun(ctx, { pipelineId: pipeline.id, trigger });
  return { pipelineId: pipeline.id, version: pipeline.version, runId, table };
}
