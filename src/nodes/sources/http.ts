import { defineNode, RESERVED_COLUMN_PREFIX, type Column } from "../contract";
import { identifierProblem } from "../sql";
import { columnTypesField } from "./file-source";
import { ZHttpSourceConfig } from "./http-config";

const ZHttpSourceNodeConfig = ZHttpSourceConfig.extend({
  columns: columnTypesField(
    "The fields to load, by name (a nested field by path, e.g. address.city), with their types. Preview the node to see the fields of the first page and take them over. A value that does not fit its type goes to quarantine.",
  ),
});

export default defineNode({
  type: "source.http",
  version: 1,
  ui: {
    title: "REST API",
    category: "source",
    icon: "globe",
    description:
      "Reads JSON records from a REST API, page by page (page numbers, offsets, cursors, a next URL in the body or the Link header), " +
      "streaming each page into the database so no run holds more than one page in memory. Authentication comes from an HTTP connection " +
      "(bearer token, basic, an API key in a header or the query, OAuth2 client credentials), so no secret sits in the pipeline. " +
      "Requests are retried with backoff on 5xx, 429 (waiting as Retry-After says), resets and timeouts, and can be capped to a number per second. " +
      "A page that is not JSON (an HTML error page), a records path that is not in the body, a 401 or 403, or pagination that loops " +
      "fails the node naming the request, never a secret. With Incremental set, each run asks only for records past the highest value of the " +
      "cursor field the last successful run saw. The API cannot be read again later, so each raw record is kept with the run for lineage: " +
      "the request (URL without secrets), the page and the record's index in it.",
  },
  inputs: [],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZHttpSourceNodeConfig,
  outputSchema: ({ config, report }) => {
    const columns: Column[] = [];
    for (const [name, type] of Object.entries(config.columns ?? {})) {
      const problem = name.startsWith(RESERVED_COLUMN_PREFIX) ? `names starting with ${RESERVED_COLUMN_PREFIX} are reserved` : identifierProblem(name);
      if (problem) report({ path: ["columns", name], message: `"${name}" cannot be a column: ${problem}` });
      else columns.push({ name, type });
    }
    return columns;
  },
  execution: { kind: "source" },
  capabilities: { usesConnection: "http" },
  example: {
    url: "https://api.example.com/v1/measurements",
    records: "data",
    pagination: { type: "cursor", cursorPath: "meta.next", param: "cursor" },
    incremental: { field: "updated_at", param: "since" },
    columns: { id: "integer", station: "string", aqi: "integer", updated_at: "timestamp" },
  },
});
