-- Re-ingest instructions move out of run params (caller data) into their own column,
-- which only the re-ingest service writes.
ALTER TABLE "runs" ADD COLUMN "reingest" JSONB;

UPDATE "runs" SET "reingest" = "params" -> 'reingest', "params" = "params" - 'reingest'
 WHERE "trigger" = 'reingest' AND "params" ? 'reingest';
