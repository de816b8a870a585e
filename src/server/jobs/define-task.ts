import type { JobHelpers, Task } from "graphile-worker";
import type { z } from "zod";
import type { JobSpec } from "../queue/job";

/**
 * The worker's side of a job (../queue/jobs.ts): a graphile-worker task whose payload is
 * checked against the job's schema before the handler sees it, so a job with a malformed
 * payload fails with a message naming the field instead of doing something half-right.
 */
export function defineTask<TSchema extends z.ZodType>(
  job: JobSpec<TSchema>,
  handler: (payload: z.output<TSchema>, helpers: JobHelpers) => Promise<void>,
): { name: string; task: Task } {
  const { name, payload } = job;
  return {
    name,
    task: async (raw, helpers) => {
      const parsed = payload.safeParse(raw);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
        throw new Error(`Job ${name} #${helpers.job.id} has an invalid payload: ${problems}`);
      }
      await handler(parsed.data, helpers);
    },
  };
}
