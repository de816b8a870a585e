import type { RunTrigger } from "@/generated/prisma/enums";

export const TRIGGER_LABELS: Record<RunTrigger, string> = {
  manual: "Manual",
  api: "API",
  schedule: "Schedule",
  webhook: "Webhook",
  reingest: "Re-ingest",
  dependency: "After another pipeline",
};
