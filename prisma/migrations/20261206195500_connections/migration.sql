-- CreateEnum
CREATE TYPE "ConnectionType" AS ENUM ('smtp');

-- CreateTable
CREATE TABLE "connections" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "ConnectionType" NOT NULL,
    "config" JSONB NOT NULL,
    "secrets" TEXT,
    "created_by" TEXT NOT NULL DEFAULT 'system',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "connections_workspace_id_name_key" ON "connections"("workspace_id", "name");

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One open incident per rule and pipeline, however many workers evaluate at once (Prisma cannot declare a partial index).
CREATE UNIQUE INDEX "alert_incidents_one_open" ON "alert_incidents"("rule_id", "pipeline_id") WHERE "status" = 'open';
