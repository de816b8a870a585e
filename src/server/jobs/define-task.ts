import type { JobHelpers, Task } from "graphile-worker";
import type { z } from "zod";

/**
 * A graphile-worker task whose payload is checked before the handler sees it: a job
 * with a malformed payload fails with a message naming the field instead of doing
 * something half-right.
 */
export function defineTask<TSchema extends z.ZodType>(
  name: string,
  payload: TSchema,
  handler: (payload: z.output<TSchema>, helpers: JobHelpers) => Promise<void>,
): { name: string; payload: TSchema; task: Task } {
  return {
    name,
    payload,
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
