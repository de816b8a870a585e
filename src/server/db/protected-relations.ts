/**
 * The tables a pipeline must never read or write: Sluice's own (one per Prisma model, and
 * the migration history), graphile-worker's queue, PostgreSQL's catalogs, and the engine's
 * run and preview schemas. A destination in replace mode truncating
 * `graphile_worker._private_tasks`, or a `references` rule answering for
 * `pg_catalog.pg_authid`, is what this closes. Checked when a pipeline is saved or started
 * and again by the engine right before it touches a table (pinned old versions run too).
 */

/**
 * Every table the app's migrations create in `public`, under its Prisma model name and its
 * table name. A test compares this list with schema.prisma and with the migrated database:
 * a new model fails it until its table is listed here.
 */
export const APP_TABLES: readonly (readonly [model: string, table: string])[] = [
  ["Workspace", "workspaces"],
  ["Pipeline", "pipelines"],
  ["PipelineVersion", "pipeline_versions"],
  ["Run", "runs"],
  ["NodeRun", "node_runs"],
  ["SourceCursor", "source_cursors"],
  ["Upload", "uploads"],
  ["QuarantinedRecord", "quarantined_records"],
  ["ApiToken", "api_tokens"],
  ["WorkerHeartbeat", "worker_heartbeats"],
  ["PipelineSchedule", "pipeline_schedules"],
  ["PipelineWebhook", "pipeline_webhooks"],
  ["WebhookSignature", "webhook_signatures"],
  ["PipelineDependency", "pipeline_dependencies"],
  ["AlertChannel", "alert_channels"],
  ["AlertRule", "alert_rules"],
  ["AlertRuleChannel", "alert_rule_channels"],
  ["AlertIncident", "alert_incidents"],
  ["AlertDelivery", "alert_deliveries"],
  ["Connection", "connections"],
  ["User", "auth_users"],
  ["Session", "auth_sessions"],
  ["Account", "auth_accounts"],
  ["Verification", "auth_verifications"],
  ["Membership", "memberships"],
  ["Invitation", "invitations"],
  ["SignInThrottle", "sign_in_throttles"],
  ["AuditEvent", "audit_events"],
  ["RunStats", "run_stats"],
  ["RunQuarantineStats", "run_quarantine_stats"],
  ["DashboardShare", "dashboard_shares"],
];

/** Where the migration runner records what it applied (as Prisma does). */
export const MIGRATIONS_TABLE = "_prisma_migrations";

/** Names compare case-insensitively: "Runs" is another table to PostgreSQL, but no less confusing. */
const APP_TABLE_NAMES = new Set([MIGRATIONS_TABLE, ...APP_TABLES.flatMap(([model, table]) => [model.toLowerCase(), table.toLowerCase()])]);

/** The schema the app's tables live in (Prisma's default). */
const APP_SCHEMA = "public";

/** Why a schema is off limits as a whole, or null. */
function schemaProblem(schema: string): string | null {
  const name = schema.toLowerCase();
  if (name === "pg_catalog" || name.startsWith("pg_")) return "PostgreSQL's own catalog";
  if (name === "information_schema") return "PostgreSQL's catalog views";
  if (name === "graphile_worker") return "Sluice's job queue";
  if (name.startsWith("sluice_")) return "where Sluice keeps runs and previews";
  return null;
}

/**
 * Why `schema.table` may not be used by a pipeline, as a sentence naming it, or null when it
 * may. `schema` defaults to public, like the nodes' config.
 */
export function protectedRelationProblem(schema: string | undefined, table: string): string | null {
  const inSchema = schema ?? APP_SCHEMA;
  const shown = `${inSchema}.${table}`;
  const reason = schemaProblem(inSchema);
  if (reason) return `${shown} is in the schema ${inSchema}, ${reason}: pipelines may not use it; choose another schema`;
  if (inSchema.toLowerCase() === APP_SCHEMA && APP_TABLE_NAMES.has(table.toLowerCase()))
    return `${shown} is one of Sluice's own tables: pipelines may not use it; choose another table name`;
  return null;
}
