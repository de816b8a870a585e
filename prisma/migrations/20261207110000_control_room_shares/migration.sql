-- AlterTable
ALTER TABLE "dashboard_shares" ADD COLUMN     "embed_origins" JSONB NOT NULL DEFAULT '[]',
ALTER COLUMN "pipeline_id" DROP NOT NULL;
