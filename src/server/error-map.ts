/**
 * The one table from the errors services throw on purpose (./errors.ts) to what each
 * transport answers: the HTTP status and public code of the REST API, and the tRPC code.
 * The tRPC middleware (api/trpc.ts) and the REST router (rest/service-errors.ts) both
 * read it, so a failure means the same over either. Anything not listed is a 500.
 */
import {
  BulkFixError,
  ConflictError,
  DependencyCycleError,
  GraphInvalidError,
  InvalidSettingError,
  NotFoundError,
  PreviewUnavailableError,
  QuarantineConflictError,
  ReingestError,
  RunStateError,
  UploadRejectedError,
  UploadTooLargeError,
  WebhookBodyError,
  WebhookRefusedError,
} from "./errors";

export interface TPublicError {
  status: 400 | 401 | 404 | 409 | 413;
  /** The REST API's `error.code`. */
  code: "invalid_request" | "graph_invalid" | "invalid_file" | "not_found" | "conflict" | "payload_too_large" | "unauthorized";
  trpc: "BAD_REQUEST" | "UNAUTHORIZED" | "NOT_FOUND" | "CONFLICT" | "PRECONDITION_FAILED" | "PAYLOAD_TOO_LARGE";
  /** Extra fields of the REST error object (the tRPC error keeps the original as its `cause`). */
  details?: Record<string, unknown>;
}

type ErrorClass<T extends Error> = abstract new (...args: never[]) => T;

interface Mapping<T extends Error> {
  error: ErrorClass<T>;
  answer: (error: T) => TPublicError;
}

const mapping = <T extends Error>(error: ErrorClass<T>, answer: (error: T) => TPublicError): Mapping<Error> => ({ error, answer }) as unknown as Mapping<Error>;

const CONFLICT: TPublicError = { status: 409, code: "conflict", trpc: "CONFLICT" };
const INVALID: TPublicError = { status: 400, code: "invalid_request", trpc: "BAD_REQUEST" };

const TABLE: readonly Mapping<Error>[] = [
  mapping(NotFoundError, () => ({ status: 404, code: "not_found", trpc: "NOT_FOUND" })),
  mapping(GraphInvalidError, (e) => ({ status: 400, code: "graph_invalid", trpc: "BAD_REQUEST", details: { problems: e.problems } })),
  mapping(UploadTooLargeError, () => ({ status: 413, code: "payload_too_large", trpc: "PAYLOAD_TOO_LARGE" })),
  mapping(UploadRejectedError, () => ({ status: 400, code: "invalid_file", trpc: "BAD_REQUEST" })),
  mapping(QuarantineConflictError, () => CONFLICT),
  mapping(RunStateError, () => CONFLICT),
  mapping(ConflictError, () => CONFLICT),
  // Nothing left to re-ingest as asked: the records' state forbids it, which the public API
  // has always answered with 409. tRPC keeps BAD_REQUEST because an outsider naming another
  // workspace's records meets the same error, and must get an answer that leaks nothing.
  mapping(ReingestError, () => ({ ...CONFLICT, trpc: "BAD_REQUEST" })),
  mapping(BulkFixError, () => INVALID),
  mapping(InvalidSettingError, (e) => ({ ...INVALID, details: { field: e.field } })),
  mapping(DependencyCycleError, (e) => ({ ...INVALID, details: { cycle: e.cycle } })),
  mapping(PreviewUnavailableError, () => ({ status: 409, code: "conflict", trpc: "PRECONDITION_FAILED" })),
  mapping(WebhookRefusedError, () => ({ status: 401, code: "unauthorized", trpc: "UNAUTHORIZED" })),
  mapping(WebhookBodyError, () => INVALID),
];

/** What the transports answer to `error`, or undefined when it is not an error a service throws on purpose. */
export function publicError(error: unknown): TPublicError | undefined {
  if (!(error instanceof Error)) return undefined;
  return TABLE.find((m) => error instanceof m.error)?.answer(error);
}
