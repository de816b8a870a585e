-- AlterTable
ALTER TABLE "node_runs" ADD COLUMN     "cursor" TEXT;

-- CreateTable
CREATE TABLE "source_cursors" (
    "pipeline_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "source_cursors_pkey" PRIMARY KEY ("pipeline_id","node_id")
);

-- AddForeignKey
ALTER TABLE "source_cursors" ADD CONSTRAINT "source_cursors_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "pipelines"("id") ON DELETE CASCADE ON UPDATE CASCADE;
