-- CreateIndex
CREATE INDEX "quarantined_records_last_seen_run_id_id_idx" ON "quarantined_records"("last_seen_run_id", "id");
