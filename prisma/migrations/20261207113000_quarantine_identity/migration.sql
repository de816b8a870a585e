-- AlterTable
ALTER TABLE "node_runs" ADD COLUMN     "rows_known" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "rows_remembered" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "quarantined_records" ADD COLUMN     "last_seen_run_id" UUID,
ADD COLUMN     "occurrence" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "pipeline_id" UUID,
ADD COLUMN     "seen_count" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "source_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "quarantined_records_pipeline_id_node_id_source_key_occurren_key" ON "quarantined_records"("pipeline_id", "node_id", "source_key", "occurrence");
