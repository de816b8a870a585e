/**
 * OpenLineage RunEvents (spec 2-0-2) for each run: START when it starts, COMPLETE, FAIL or
 * ABORT when it ends, POSTed to OPENLINEAGE_URL/api/v1/lineage. The job is the workspace's
 * pipeline; inputs are the sources, outputs the destinations, each with its schema and
 * data source; inputs carry data-quality figures (rows read, each validation rule and how
 * many rows broke it), outputs their row counts; a failed run carries its error; and a
 * custom facet points at Sluice's record-level lineage for the run, which OpenLineage
 * itself has no way to carry.
 */
import type { PrismaClient } from "@/generated/prisma/client";
import { checkGraph } from "@/nodes/graph";
import type { TParamValue } from "@/nodes/params";
import { uploadIdOf, type TPipelineGraph } from "@/nodes/pipeline";
import { registry } from "@/nodes/registry";
import { buildPlan, type PlannedNode } from "../engine/plan";
import { loadUploadCatalog } from "../engine/uploads-catalog";
import { readEnv } from "../env";
import type pg from "pg";
import { publicUrl, runUrl } from "../public-url";

const SPEC = "https://openlineage.io/spec";
const RUN_EVENT_SCHEMA = `${SPEC}/2-0-2/OpenLineage.json#/$defs/RunEvent`;
const facetSchema = (version: string, name: string) => `${SPEC}/facets/${version}/${name}.json#/$defs/${name}`;

/** The URL of the JSON Schema of Sluice's own run facet (served by the API). */
export function recordLineageFacetSchemaUrl(): string {
  return `${publicUrl()}/api/v1/openlineage/facets/record-lineage.json`;
}

export const RECORD_LINEAGE_FACET_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "SluiceRecordLineageRunFacet",
  description: "Where to read the record-level lineage of a Sluice run: every loaded row and every quarantined record traces back to its source line.",
  type: "object",
  properties: {
    _producer: { type: "string", format: "uri" },
    _schemaURL: { type: "string", format: "uri" },
    runUrl: { type: "string", format: "uri", description: "The run's page" },
    quarantineApi: { type: "string", format: "uri", description: "GET: the run's quarantined records, each with its lineage id" },
    lineageApi: { type: "string", description: "GET with a lineage id: the record's source (file and line) and every step it passed" },
    lineageIdColumn: { type: "string", description: "The column of every destination row holding its lineage id" },
    runIdColumn: { type: "string", description: "The column of every destination row holding the run that loaded it" },
  },
  required: ["_producer", "_schemaURL", "runUrl", "lineageApi", "lineageIdColumn"],
} as const;

export type TLineageEventType = "START" | "COMPLETE" | "FAIL" | "ABORT";

interface Base {
  prisma: PrismaClient;
  pool: pg.Pool;
}

function producer(): string {
  return `${publicUrl()}/api/v1/openapi.json`;
}

function facet(version: string, name: string, body: Record<string, unknown>) {
  return { _producer: producer(), _schemaURL: facetSchema(version, name), ...body };
}

function schemaFacet(node: PlannedNode) {
  return facet("1-1-1", "SchemaDatasetFacet", { fields: node.output.map((c) => ({ name: c.name, type: c.type })) });
}

/** Builds the event; null when the run no longer exists (retention removed it). */
export async function buildRunEvent(base: Base, input: { runId: string; eventType: TLineageEventType; eventTime: string }) {
  const env = readEnv();
  const run = await base.prisma.run.findUnique({
    where: { id: input.runId },
    include: {
      workspace: { select: { name: true } },
      pipeline: { select: { name: true } },
      version: { select: { graph: true, number: true } },
      nodeRuns: { select: { nodeId: true, status: true, rowsIn: true, rowsOut: true, rowsRejected: true, error: true } },
      parentRun: { select: { id: true } },
      triggeredBy: { select: { id: true, pipeline: { select: { name: true } } } },
    },
  });
  if (!run) return null;
  const namespace = `${env.OPENLINEAGE_NAMESPACE}/${run.workspace.name}`;
  const graph = run.version.graph as TPipelineGraph;
  const upload = await loadUploadCatalog(base.prisma, run.workspaceId, graph);
  // Resolved with the run's own parameters: a table or file named by one is the one the run used.
  const plan = buildPlan(checkGraph(graph, { registry, upload, params: run.params as Record<string, TParamValue> }));
  const nodeRun = new Map(run.nodeRuns.map((n) => [n.nodeId, n]));
  const nodes = [...plan.values()];
  const final = input.eventType !== "START";

  const rejections = await base.pool.query<{ node_id: string; field: string; rule: string; rows: number }>(
    `SELECT q.node_id, e->>'field' AS field, e->>'rule' AS rule, count(DISTINCT q.id)::int AS rows
       FROM quarantined_records q, jsonb_array_elements(q.errors) e
      WHERE q.run_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [run.id],
  );
  const rejected = rejections.rows;
  const database = await base.pool.query<{ db: string; host: string | null; port: number | null }>(
    "SELECT current_database() AS db, host(inet_server_addr()) AS host, inet_server_port() AS port",
  );
  const db = database.rows[0]!;
  const dataSourceUri = `postgres://${db.host ?? "localhost"}:${db.port ?? 5432}`;

  const inputs = nodes
    .filter((n) => n.definition.execution.kind === "source")
    .map((node) => {
      const file = uploadIdOf((node.config as { file?: unknown }).file);
      const entry = file ? upload(file) : undefined;
      const counts = nodeRun.get(node.id);
      const rules = rejected.filter((r) => node.consumers.includes(r.node_id) || r.node_id === node.id);
      return {
        namespace: `${namespace}/uploads`,
        name: entry ? `${entry.filename} (${entry.id})` : node.id,
        facets: {
          schema: schemaFacet(node),
          dataSource: facet("1-0-1", "DatasourceDatasetFacet", { name: `${run.workspace.name} uploads`, uri: `${publicUrl()}/api/v1/uploads` }),
        },
        ...(final && counts
          ? {
              inputFacets: {
                dataQualityMetrics: facet("1-0-2", "DataQualityMetricsInputDatasetFacet", { rowCount: Number(counts.rowsIn), columnMetrics: {} }),
                ...(rules.length > 0
                  ? {
                      dataQualityAssertions: facet("1-0-1", "DataQualityAssertionsDatasetFacet", {
                        assertions: rules.map((r) => ({ assertion: `${r.rule}: ${r.rows} row${r.rows === 1 ? "" : "s"} rejected`, success: false, column: r.field })),
                      }),
                    }
                  : {}),
              },
            }
          : {}),
      };
    });

  const outputs = nodes
    .filter((n) => n.definition.execution.kind === "destination")
    .map((node) => {
      const config = node.config as { table?: unknown; schema?: unknown };
      const table = typeof config.table === "string" ? config.table : node.id;
      const schema = typeof config.schema === "string" ? config.schema : "public";
      const counts = nodeRun.get(node.id);
      return {
        namespace: dataSourceUri,
        name: `${db.db}.${schema}.${table}`,
        facets: { schema: schemaFacet(node), dataSource: facet("1-0-1", "DatasourceDatasetFacet", { name: db.db, uri: `${dataSourceUri}/${db.db}` }) },
        ...(final && counts?.status === "succeeded" ? { outputFacets: { outputStatistics: facet("1-0-2", "OutputStatisticsOutputDatasetFacet", { rowCount: Number(counts.rowsOut) }) } } : {}),
      };
    });

  const totalRejected = rejected.reduce((sum, r) => sum + r.rows, 0);
  const runFacets: Record<string, unknown> = {
    sluice_recordLineage: {
      _producer: producer(),
      _schemaURL: recordLineageFacetSchemaUrl(),
      runUrl: runUrl(run.id),
      quarantineApi: `${publicUrl()}/api/v1/runs/${run.id}/quarantine`,
      lineageApi: `${publicUrl()}/api/v1/lineage/{lineageId}`,
      lineageIdColumn: "_sluice_lineage_id",
      runIdColumn: "_sluice_run_id",
      rowsRejected: totalRejected,
    },
  };
  if (run.scheduledFor) runFacets.nominalTime = facet("1-0-1", "NominalTimeRunFacet", { nominalStartTime: run.scheduledFor.toISOString() });
  const parent = run.parentRun ? { id: run.parentRun.id, name: run.pipeline.name } : run.triggeredBy ? { id: run.triggeredBy.id, name: run.triggeredBy.pipeline.name } : null;
  if (parent) runFacets.parent = facet("1-0-1", "ParentRunFacet", { run: { runId: parent.id }, job: { namespace, name: parent.name } });
  if (input.eventType === "FAIL") {
    const failed = run.nodeRuns.find((n) => n.status === "failed");
    runFacets.errorMessage = facet("1-0-1", "ErrorMessageRunFacet", { message: run.error ?? failed?.error ?? "the run failed", programmingLanguage: "SQL" });
  }

  return {
    eventType: input.eventType,
    eventTime: input.eventTime,
    producer: producer(),
    schemaURL: RUN_EVENT_SCHEMA,
    run: { runId: run.id, facets: runFacets },
    job: {
      namespace,
      name: run.pipeline.name,
      facets: { jobType: facet("2-0-3", "JobTypeJobFacet", { processingType: "BATCH", integration: "SLUICE", jobType: "PIPELINE" }) },
    },
    inputs,
    outputs,
  };
}

/** Sends one event; throws on anything but a 2xx so the job retries with backoff. */
export async function emitRunEvent(base: Base, input: { runId: string; eventType: TLineageEventType; eventTime: string }): Promise<"sent" | "gone" | "off"> {
  const env = readEnv();
  if (!env.OPENLINEAGE_URL) return "off";
  const event = await buildRunEvent(base, input);
  if (!event) return "gone";
  const endpoint = `${env.OPENLINEAGE_URL.replace(/\/+$/, "")}/api/v1/lineage`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", ...(env.OPENLINEAGE_API_KEY ? { authorization: `Bearer ${env.OPENLINEAGE_API_KEY}` } : {}) },
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) {
    const text = (await response.text().catch(() => "")).slice(0, 300);
    throw new Error(`${endpoint} answered ${response.status} ${response.statusText}${text ? `: ${text}` : ""}`);
  }
  return "sent";
}
