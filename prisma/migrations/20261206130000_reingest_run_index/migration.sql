-- Settling a re-ingest run finds its records by the run.
-- CreateIndex
CREATE INDEX "quarantined_records_reingest_run_id_idx" ON "quarantined_records"("reingest_run_id");
