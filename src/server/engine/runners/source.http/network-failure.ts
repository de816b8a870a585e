/**
 * What a failed fetch means, from the error undici throws ("fetch failed" with the socket's
 * error as its cause): DNS, refused, reset, TLS or a timeout, and whether trying again can help.
 * The connection test says the same words as a failing run.
 */

export interface NetworkFailure {
  /** A reset, a refusal or a timeout may pass; a name that does not resolve or a certificate that does not verify will not. */
  retryable: boolean;
  message: string;
}

const RESET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "ECONNABORTED"]);
const SLOW = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const UNREACHABLE = new Set(["ENETUNREACH", "EHOSTUNREACH", "ENETDOWN", "EHOSTDOWN"]);
const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_VERIFY_LEAF_SIGNATURE$|UNABLE_TO_GET_ISSUER_CERT|EPROTO$)/;

function errorChain(error: unknown): { code?: string; message: string; name?: string }[] {
  const chain: { code?: string; message: string; name?: string }[] = [];
  let at: unknown = error;
  while (typeof at === "object" && at !== null && chain.length < 5) {
    const e = at as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown };
    chain.push({ code: typeof e.code === "string" ? e.code : undefined, message: typeof e.message === "string" ? e.message : String(at), name: typeof e.name === "string" ? e.name : undefined });
    at = e.cause;
  }
  if (chain.length === 0) chain.push({ message: String(error) });
  return chain;
}

/** Whether `error` is the abort of a per-request timeout (`AbortSignal.timeout`). */
export function isTimeout(error: unknown): boolean {
  return errorChain(error).some((e) => e.name === "TimeoutError");
}

/** `url` is the host's address as the person configured it (no secrets); `timeoutMs` the per-request limit that applied. */
export function describeNetworkFailure(error: unknown, url: URL, timeoutMs: number): NetworkFailure {
  const where = `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
  if (isTimeout(error)) return { retryable: true, message: `Timed out: ${where} did not answer within ${timeoutMs / 1000} s` };
  const chain = errorChain(error);
  const cause = chain.find((e) => e.code !== undefined) ?? chain[chain.length - 1]!;
  const code = cause.code ?? "";
  if (code === "ENOTFOUND") return { retryable: false, message: `DNS: the host name "${url.hostname}" does not resolve` };
  if (code === "EAI_AGAIN") return { retryable: true, message: `DNS: looking up "${url.hostname}" failed for now (${code})` };
  if (code === "ECONNREFUSED") return { retryable: true, message: `Connection refused: nothing accepts connections on ${where}` };
  if (RESET.has(code)) return { retryable: true, message: `Connection reset: ${where} closed the connection before answering (${cause.message})` };
  if (SLOW.has(code)) return { retryable: true, message: `Timed out connecting to ${where} (${code})` };
  if (UNREACHABLE.has(code)) return { retryable: true, message: `Network: ${where} cannot be reached (${code})` };
  if (TLS_CODE.test(code) || /certificate|ssl|tls/i.test(cause.message)) return { retryable: false, message: `TLS: ${where}: ${cause.message}${code ? ` (${code})` : ""}` };
  return { retryable: false, message: `Could not reach ${where}: ${cause.message}${code ? ` (${code})` : ""}` };
}
