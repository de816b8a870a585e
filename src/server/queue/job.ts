/**
 * A background job's contract: its task name and its payload schema, defined once and
 * used by both ends. The producer enqueues through {@link enqueue} (the payload checked
 * before it is stored); the worker's task (`defineTask` in ../jobs/define-task.ts) checks
 * what it receives against the same schema. This module sits below the engine and the
 * services, so either can enqueue in its own transaction.
 */
import type { z } from "zod";
import { join, sql, type Sql } from "@/nodes/sql";
import { query, type Queryable } from "../db/query";

export interface JobSpec<TSchema extends z.ZodType = z.ZodType> {
  /** graphile-worker's task identifier. */
  name: string;
  payload: TSchema;
}

export function defineJob<TSchema extends z.ZodType>(name: string, payload: TSchema): JobSpec<TSchema> {
  return { name, payload };
}

export interface EnqueueOptions {
  /** De-duplicates: a second job with the same key updates the first (see `jobKeyMode`). */
  jobKey?: string;
  /** What a second enqueue with the same key does. graphile-worker's default: "replace". */
  jobKeyMode?: "replace" | "preserve_run_at" | "unsafe_dedupe";
  /** Attempts before the job is given up. graphile-worker's default: 25. */
  maxAttempts?: number;
  /** Not before this time. Default: now. */
  runAt?: Date;
  /** Jobs of one named queue run one at a time, in order. Default: none (any order, in parallel). */
  queueName?: string;
}

/** Enqueues a job with `db`: inside the caller's transaction when `db` is a connection in one. */
export async function enqueue<TSchema extends z.ZodType>(db: Queryable, job: JobSpec<TSchema>, payload: z.input<TSchema>, options: EnqueueOptions = {}): Promise<void> {
  const checked: unknown = job.payload.parse(payload);
  const named: Sql[] = [];
  if (options.jobKey !== undefined) named.push(sql`job_key => ${options.jobKey}::text`);
  if (options.jobKeyMode !== undefined) named.push(sql`job_key_mode => ${options.jobKeyMode}::text`);
  if (options.maxAttempts !== undefined) named.push(sql`max_attempts => ${options.maxAttempts}::int`);
  if (options.runAt !== undefined) named.push(sql`run_at => ${options.runAt}::timestamptz`);
  if (options.queueName !== undefined) named.push(sql`queue_name => ${options.queueName}::text`);
  await query(db, sql`SELECT graphile_worker.add_job(${join([sql`${job.name}::text`, sql`${JSON.stringify(checked)}::json`, ...named])})`);
}
