import { RECORD_LINEAGE_FACET_SCHEMA } from "../../services/openlineage";
import { defineEndpoint } from "../endpoint";

export const recordLineageFacetEndpoint = defineEndpoint({
  method: "GET",
  path: "/openlineage/facets/record-lineage.json",
  summary: "JSON Schema of Sluice's OpenLineage run facet `sluice_recordLineage`",
  description: "The `_schemaURL` of the facet every OpenLineage event from Sluice carries: where to read the run's record-level lineage.",
  tags: ["Meta"],
  role: "public",
  responses: { 200: { description: "The JSON Schema" } },
  handler: async () => Response.json(RECORD_LINEAGE_FACET_SCHEMA, { headers: { "content-type": "application/schema+json" } }),
});
