-- CreateTable
CREATE TABLE "run_stats" (
    "run_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "pipeline_id" UUID NOT NULL,
    "status" "RunStatus" NOT NULL,
    "trigger" "RunTrigger" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER,
    "rows_read" BIGINT NOT NULL,
    "rows_loaded" BIGINT NOT NULL,
    "rows_quarantined" BIGINT NOT NULL,
    "rows_discarded" BIGINT NOT NULL,
    "nodes" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "run_stats_pkey" PRIMARY KEY ("run_id")
);

-- CreateTable
CREATE TABLE "run_quarantine_stats" (
    "run_id" UUID NOT NULL,
    "pipeline_id" UUID NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "node_id" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "violations" BIGINT NOT NULL,

    CONSTRAINT "run_quarantine_stats_pkey" PRIMARY KEY ("run_id","node_id","field","rule")
);

-- CreateTable
CREATE TABLE "dashboard_shares" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "pipeline_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "include_samples" BOOLEAN NOT NULL DEFAULT false,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_viewed_at" TIMESTAMPTZ(3),

    CONSTRAINT "dashboard_shares_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "run_stats_pipeline_id_finished_at_idx" ON "run_stats"("pipeline_id", "finished_at" DESC);

-- CreateIndex
CREATE INDEX "run_stats_workspace_id_finished_at_idx" ON "run_stats"("workspace_id", "finished_at" DESC);

-- CreateIndex
CREATE INDEX "run_quarantine_stats_pipeline_id_finished_at_idx" ON "run_quarantine_stats"("pipeline_id", "finished_at");

-- CreateIndex
CREATE UNIQUE INDEX "dashboard_shares_token_hash_key" ON "dashboard_shares"("token_hash");

-- CreateIndex
CREATE INDEX "dashboard_shares_pipeline_id_created_at_idx" ON "dashboard_shares"("pipeline_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "dashboard_shares_workspace_id_idx" ON "dashboard_shares"("workspace_id");

-- AddForeignKey
ALTER TABLE "run_stats" ADD CONSTRAINT "run_stats_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_quarantine_stats" ADD CONSTRAINT "run_quarantine_stats_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dashboard_shares" ADD CONSTRAINT "dashboard_shares_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dashboard_shares" ADD CONSTRAINT "dashboard_shares_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Runs that finished before the figures were kept get them once, here. Node kinds come from
-- the type's category prefix (source.*, destination.*), which the registry's types follow.
INSERT INTO "run_stats" ("run_id", "workspace_id", "pipeline_id", "status", "trigger", "created_at", "started_at", "finished_at", "duration_ms",
                         "rows_read", "rows_loaded", "rows_quarantined", "rows_discarded", "nodes")
SELECT r."id", r."workspace_id", r."pipeline_id", r."status", r."trigger", r."created_at", r."started_at", r."finished_at",
       (extract(epoch FROM (r."finished_at" - r."started_at")) * 1000)::int,
       n.read, n.loaded, n.rejected, greatest(n.read - n.loaded - n.rejected, 0), n.nodes
  FROM "runs" r
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(nr."rows_in") FILTER (WHERE nr."node_type" LIKE 'source.%'), 0) AS read,
           coalesce(sum(nr."rows_out") FILTER (WHERE nr."node_type" LIKE 'destination.%'), 0) AS loaded,
           coalesce(sum(nr."rows_rejected"), 0) AS rejected,
           coalesce(jsonb_agg(jsonb_build_object('nodeId', nr."node_id", 'nodeType', nr."node_type", 'status', nr."status",
                      'durationMs', (extract(epoch FROM (nr."finished_at" - nr."started_at")) * 1000)::int) ORDER BY nr."node_id"), '[]'::jsonb) AS nodes
      FROM "node_runs" nr WHERE nr."run_id" = r."id") n
 WHERE r."finished_at" IS NOT NULL AND r."status" IN ('succeeded', 'failed', 'canceled');

INSERT INTO "run_quarantine_stats" ("run_id", "pipeline_id", "finished_at", "node_id", "field", "rule", "violations")
SELECT q."run_id", r."pipeline_id", r."finished_at", q."node_id", coalesce(e->>'field', ''), coalesce(e->>'rule', ''), count(*)
  FROM "quarantined_records" q
  JOIN "runs" r ON r."id" = q."run_id"
  CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(q."errors") = 'array' THEN q."errors" ELSE '[]'::jsonb END) e
 WHERE r."finished_at" IS NOT NULL AND r."status" IN ('succeeded', 'failed', 'canceled')
 GROUP BY 1, 2, 3, 4, 5, 6;
