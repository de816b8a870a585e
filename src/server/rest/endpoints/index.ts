import type { Endpoint } from "../endpoint";
import { getLineageEndpoint } from "./lineage";
import { editQuarantinedRecordEndpoint, reingestEndpoint } from "./quarantine";
import { createPipelineEndpoint, getPipelineEndpoint, startRunEndpoint, updatePipelineEndpoint } from "./pipelines";
import { getRunEndpoint, listRunQuarantineEndpoint } from "./runs";
import { createUploadEndpoint } from "./uploads";

/** The public API, one entry per endpoint; the router and openapi.json both read this table. */
export const endpoints: readonly Endpoint[] = [
  createUploadEndpoint,
  createPipelineEndpoint,
  getPipelineEndpoint,
  updatePipelineEndpoint,
  startRunEndpoint,
  getRunEndpoint,
  listRunQuarantineEndpoint,
  editQuarantinedRecordEndpoint,
  reingestEndpoint,
  getLineageEndpoint,
];
