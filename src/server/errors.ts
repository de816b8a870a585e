/**
 * The errors services and the engine throw on purpose, each meaning one thing a caller can
 * answer (not found, conflict, bad input…). They live below both, so the engine never has
 * to import a service to throw one, and the API maps each class to its status in one table.
 * Anything else thrown is a bug or an outage: a 500.
 */
import type { GraphProblem } from "@/nodes/graph";

/** The thing asked for does not exist in this workspace. */
export class NotFoundError extends Error {
  constructor(
    readonly what: string,
    readonly id: string,
  ) {
    super(`${what} ${id} does not exist`);
  }
}

/** The pipeline has problems that block `action` (saving, running, re-ingesting); `problems` says where. */
export class GraphInvalidError extends Error {
  constructor(
    readonly problems: GraphProblem[],
    action: string,
  ) {
    super(`The pipeline cannot be ${action}: ${problems.map((p) => p.message).join("; ")}`);
  }
}

/** The record is in a state the action does not apply to (e.g. editing a re-ingested record). */
export class QuarantineConflictError extends Error {}

/** A bulk fix that cannot be applied as asked: the message says what to change. */
export class BulkFixError extends Error {}

/** Nothing can be re-ingested as asked (nothing left to send back, or no node to send it to). */
export class ReingestError extends Error {}

/** The preview cannot be computed yet: the message says what to fix first. */
export class PreviewUnavailableError extends Error {}

/** An upload larger than the limit, refused while it streamed in. */
export class UploadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The file is larger than the upload limit of ${limit} bytes`);
  }
}

/** The file cannot be used as a pipeline source; the message says why and what would work. */
export class UploadRejectedError extends Error {}

/** A setting that cannot be saved as given (a cron expression, a timezone, a channel address…); `field` names it. */
export class InvalidSettingError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The run is in a state the action does not apply to (cancelling a finished run, retrying one that did not fail). */
export class RunStateError extends Error {}

/** Dependencies that would make pipelines wait for themselves; `cycle` lists the pipeline names around the loop. */
export class DependencyCycleError extends Error {
  constructor(readonly cycle: string[]) {
    super(`These dependencies would form a cycle: ${cycle.join(" → ")}. A pipeline cannot wait for itself.`);
  }
}

/** The node job stops: its run was canceled. Its transaction rolls back, so no partial output is kept. */
export class RunCanceledError extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} was canceled`);
  }
}

/** The action cannot happen in the current state: setting up twice, an email that has an account already, an invitation used up. */
export class ConflictError extends Error {}

/** A webhook request that is not let in (missing, malformed, old, wrong or replayed signature): 401 with the reason. */
export class WebhookRefusedError extends Error {}

/** A correctly signed webhook body that cannot be run parameters (not a JSON object). */
export class WebhookBodyError extends Error {}
