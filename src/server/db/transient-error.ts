/**
 * Whether trying the same thing again can succeed. A node job is retried only for these:
 * a lost connection, a database restarting, a deadlock or serialization failure, a timeout,
 * a worker shutting down. A wrong configuration, a table whose columns do not fit or a value
 * that breaks a cast fails the same way every time, so it fails at once with its message.
 */
export function isTransientError(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (isTransientCause(cause)) return true;
  }
  return false;
}

/** SQLSTATE classes that describe the database's state, not the statement. */
const TRANSIENT_SQLSTATE_CLASSES = new Set([
  "08", // connection exception
  "53", // insufficient resources: too many connections, out of memory, disk full
  "58", // system error: I/O
]);

const TRANSIENT_SQLSTATES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "55P03", // lock_not_available
  "57014", // query_canceled: statement_timeout (a canceled run is told apart before this is asked)
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: the server is starting or recovering
]);

const TRANSIENT_SYSTEM_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** node-postgres reports a connection that broke mid-query with these messages and no code. */
const LOST_CONNECTION = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

function isTransientCause(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (TRANSIENT_SYSTEM_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
  }
  // The worker is shutting down: another worker takes the job over.
  if (error.name === "AbortError") return true;
  return LOST_CONNECTION.test(error.message);
}
