-- CreateEnum
CREATE TYPE "DependencyMode" AS ENUM ('any', 'all');

-- CreateEnum
CREATE TYPE "ScheduleOverlap" AS ENUM ('skip', 'queue', 'cancel-previous');

-- CreateEnum
CREATE TYPE "ScheduleCatchUp" AS ENUM ('none', 'latest', 'all');

-- CreateEnum
CREATE TYPE "AlertChannelType" AS ENUM ('slack', 'webhook', 'email');

-- CreateEnum
CREATE TYPE "AlertRuleKind" AS ENUM ('run_failed', 'reject_rate', 'volume_anomaly', 'duration_anomaly', 'freshness', 'schema_drift');

-- CreateEnum
CREATE TYPE "AlertIncidentStatus" AS ENUM ('open', 'resolved');

-- CreateEnum
CREATE TYPE "AlertDeliveryEvent" AS ENUM ('firing', 'resolved', 'test');

-- CreateEnum
CREATE TYPE "AlertDeliveryStatus" AS ENUM ('pending', 'sent', 'failed');

-- AlterEnum
ALTER TYPE "RunTrigger" ADD VALUE 'dependency';

-- AlterTable
ALTER TABLE "pipelines" ADD COLUMN     "dependency_mode" "DependencyMode" NOT NULL DEFAULT 'any';

-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "queued_behind_run_id" UUID,
ADD COLUMN     "scheduled_for" TIMESTAMPTZ(3),
ADD COLUMN     "triggered_by_run_id" UUID;

-- CreateTable
CREATE TABLE "pipeline_schedules" (
    "pipeline_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "cron" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "overlap" "ScheduleOverlap" NOT NULL DEFAULT 'skip',
    "catch_up" "ScheduleCatchUp" NOT NULL DEFAULT 'latest',
    "next_fire_at" TIMESTAMPTZ(3),
    "last_fire_at" TIMESTAMPTZ(3),
    "last_outcome" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pipeline_schedules_pkey" PRIMARY KEY ("pipeline_id")
);

-- CreateTable
CREATE TABLE "pipeline_webhooks" (
    "pipeline_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "secret" TEXT NOT NULL,
    "secret_prefix" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipeline_webhooks_pkey" PRIMARY KEY ("pipeline_id")
);

-- CreateTable
CREATE TABLE "webhook_signatures" (
    "digest" TEXT NOT NULL,
    "pipeline_id" UUID NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_signatures_pkey" PRIMARY KEY ("digest")
);

-- CreateTable
CREATE TABLE "pipeline_dependencies" (
    "pipeline_id" UUID NOT NULL,
    "upstream_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipeline_dependencies_pkey" PRIMARY KEY ("pipeline_id","upstream_id")
);

-- CreateTable
CREATE TABLE "alert_channels" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "AlertChannelType" NOT NULL,
    "config" JSONB NOT NULL,
    "secrets" TEXT,
    "created_by" TEXT NOT NULL DEFAULT 'system',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_rules" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "pipeline_id" UUID,
    "kind" "AlertRuleKind" NOT NULL,
    "threshold" DOUBLE PRECISION,
    "window" INTEGER,
    "minimum" DOUBLE PRECISION,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL DEFAULT 'system',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_rule_channels" (
    "rule_id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,

    CONSTRAINT "alert_rule_channels_pkey" PRIMARY KEY ("rule_id","channel_id")
);

-- CreateTable
CREATE TABLE "alert_incidents" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "rule_id" UUID NOT NULL,
    "pipeline_id" UUID NOT NULL,
    "status" "AlertIncidentStatus" NOT NULL DEFAULT 'open',
    "run_id" UUID,
    "resolved_by_run_id" UUID,
    "figures" JSONB NOT NULL,
    "summary" TEXT NOT NULL,
    "repeats" INTEGER NOT NULL DEFAULT 0,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_incidents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_deliveries" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,
    "incident_id" UUID,
    "event" "AlertDeliveryEvent" NOT NULL,
    "status" "AlertDeliveryStatus" NOT NULL DEFAULT 'pending',
    "message" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "pipeline_schedules_next_fire_at_idx" ON "pipeline_schedules"("next_fire_at");

-- CreateIndex
CREATE INDEX "webhook_signatures_seen_at_idx" ON "webhook_signatures"("seen_at");

-- CreateIndex
CREATE INDEX "pipeline_dependencies_upstream_id_idx" ON "pipeline_dependencies"("upstream_id");

-- CreateIndex
CREATE UNIQUE INDEX "alert_channels_workspace_id_name_key" ON "alert_channels"("workspace_id", "name");

-- CreateIndex
CREATE INDEX "alert_rules_workspace_id_pipeline_id_idx" ON "alert_rules"("workspace_id", "pipeline_id");

-- CreateIndex
CREATE INDEX "alert_rule_channels_channel_id_idx" ON "alert_rule_channels"("channel_id");

-- CreateIndex
CREATE INDEX "alert_incidents_rule_id_pipeline_id_status_idx" ON "alert_incidents"("rule_id", "pipeline_id", "status");

-- CreateIndex
CREATE INDEX "alert_incidents_workspace_id_opened_at_idx" ON "alert_incidents"("workspace_id", "opened_at" DESC);

-- CreateIndex
CREATE INDEX "alert_deliveries_workspace_id_created_at_idx" ON "alert_deliveries"("workspace_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "alert_deliveries_incident_id_idx" ON "alert_deliveries"("incident_id");

-- CreateIndex
CREATE INDEX "runs_queued_behind_run_id_idx" ON "runs"("queued_behind_run_id");

-- CreateIndex
CREATE UNIQUE INDEX "runs_pipeline_id_scheduled_for_key" ON "runs"("pipeline_id", "scheduled_for");

-- CreateIndex
CREATE UNIQUE INDEX "runs_pipeline_id_triggered_by_run_id_key" ON "runs"("pipeline_id", "triggered_by_run_id");

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_triggered_by_run_id_fkey" FOREIGN KEY ("triggered_by_run_id") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_queued_behind_run_id_fkey" FOREIGN KEY ("queued_behind_run_id") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_schedules" ADD CONSTRAINT "pipeline_schedules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_schedules" ADD CONSTRAINT "pipeline_schedules_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_webhooks" ADD CONSTRAINT "pipeline_webhooks_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_webhooks" ADD CONSTRAINT "pipeline_webhooks_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_dependencies" ADD CONSTRAINT "pipeline_dependencies_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_dependencies" ADD CONSTRAINT "pipeline_dependencies_upstream_id_fkey" FOREIGN KEY ("upstream_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_channels" ADD CONSTRAINT "alert_channels_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rule_channels" ADD CONSTRAINT "alert_rule_channels_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rule_channels" ADD CONSTRAINT "alert_rule_channels_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "alert_channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_incidents" ADD CONSTRAINT "alert_incidents_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_incidents" ADD CONSTRAINT "alert_incidents_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_incidents" ADD CONSTRAINT "alert_incidents_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "alert_channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "alert_incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One open incident per rule and pipeline: two workers evaluating at once cannot both open one (Prisma cannot express a partial index).
CREATE UNIQUE INDEX "alert_incidents_one_open_key" ON "alert_incidents"("rule_id", "pipeline_id") WHERE "status" = 'open';

-- The scheduler reads only the due schedules of enabled pipelines.
CREATE INDEX "pipeline_schedules_due_idx" ON "pipeline_schedules"("next_fire_at") WHERE "enabled";
