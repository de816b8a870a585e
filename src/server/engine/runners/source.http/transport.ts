/**
 * One HTTP request the way an API source must send it: spaced to the requests-per-second cap,
 * bounded by a per-request timeout (body included) and a response size cap, retried with
 * exponential backoff and full jitter on 5xx, 408, connection resets and timeouts, waiting as
 * told on 429 + Retry-After. Whatever finally fails throws an HttpSourceError naming the request.
 */
import { HttpSourceError } from "./errors";
import { describeNetworkFailure, type NetworkFailure } from "./network-failure";

export interface TransportLimits {
  /** One request, headers and body, in milliseconds. */
  timeoutMs: number;
  /** Tries after the first, per request. */
  retries: number;
  /** At most this many requests a second, retries and token requests included; no cap when undefined. */
  requestsPerSecond?: number;
  /** A body larger than this fails the node rather than fill the worker's memory. Default 64 MiB. */
  maxResponseBytes?: number;
  /** A Retry-After asking for longer than this fails at once. Default 5 minutes. */
  maxRetryAfterMs?: number;
  /** Backoff before retry n is a random wait in [0, min(maxMs, baseMs · 2^n)]. Defaults 500 ms and 30 s. */
  backoff?: { baseMs: number; maxMs: number };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** Where the answer came from, after redirects. */
  url: URL;
}

export interface OutgoingRequest {
  url: URL;
  method: string;
  headers: Headers;
  body?: string;
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_RETRY_AFTER_MS = 5 * 60_000;
const DEFAULT_BACKOFF = { baseMs: 500, maxMs: 30_000 };
const EXCERPT_CHARS = 300;

/** Milliseconds a Retry-After header asks for (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function abortable(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function readCapped(response: Response, cap: number, describe: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel();
    throw new HttpSourceError(`${describe}: the answer is ${declared} bytes, over the ${cap}-byte cap for one page: ask for smaller pages`);
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value: chunk } = await reader.read();
    if (done) break;
    size += chunk.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw new HttpSourceError(`${describe}: the answer is over the ${cap}-byte cap for one page: ask for smaller pages`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The start of a body, for an error message: enough to recognise an HTML error page or an API's own explanation. */
export function excerpt(body: Uint8Array): string {
  const text = Buffer.from(body.subarray(0, EXCERPT_CHARS * 4)).toString("utf8").replace(/\s+/g, " ").trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function shouldRetryStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

export class Transport {
  private nextStartAt = 0;
  private readonly cap: number;
  private readonly maxRetryAfter: number;
  private readonly backoff: { baseMs: number; maxMs: number };

  constructor(
    private readonly limits: TransportLimits,
    /** Cancels everything (the run was canceled): never retried. */
    private readonly signal: AbortSignal | undefined,
    /** Masks secrets in what goes into an error. */
    private readonly mask: (text: string) => string,
  ) {
    this.cap = limits.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.maxRetryAfter = limits.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    this.backoff = limits.backoff ?? DEFAULT_BACKOFF;
  }

  private async waitForTurn(): Promise<void> {
    const rps = this.limits.requestsPerSecond;
    if (rps === undefined) return;
    const now = Date.now();
    const startAt = Math.max(now, this.nextStartAt);
    this.nextStartAt = startAt + 1000 / rps;
    if (startAt > now) await abortable(startAt - now, this.signal);
  }

  private backoffMs(retry: number): number {
    return Math.random() * Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** retry);
  }

  /**
   * Sends the request `build` makes (called again for each try, so fresh credentials apply) and
   * answers its 2xx response. After a 401, `renewCredentials` may say fresh credentials exist:
   * then the request is sent once more, outside the retry budget.
   */
  async send(build: () => Promise<OutgoingRequest>, renewCredentials?: () => boolean): Promise<HttpAnswer> {
    let retry = 0;
    let renewed = false;
    for (;;) {
      await this.waitForTurn();
      const request = await build();
      const describe = this.mask(`${request.method} ${request.url.href}`);
      const tried = await this.attempt(request, describe);
      if ("failure" in tried) {
        if (tried.failure.retryable && retry < this.limits.retries) {
          await abortable(this.backoffMs(retry++), this.signal);
          continue;
        }
        const tries = retry + 1;
        throw new HttpSourceError(this.mask(`${describe}: ${tried.failure.message}${tries > 1 ? ` (${tries} tries)` : ""}`));
      }
      const answer = tried.answer;
      if (answer.status >= 200 && answer.status < 300) return answer;
      if (answer.status === 401 && !renewed && renewCredentials?.()) {
        renewed = true;
        continue;
      }
      if (shouldRetryStatus(answer.status) && retry < this.limits.retries) {
        const asked = answer.status === 429 || answer.status === 503 ? retryAfterMs(answer.headers.get("retry-after")) : undefined;
        if (asked !== undefined && asked > this.maxRetryAfter)
          throw new HttpSourceError(`${describe}: answered ${answer.status} asking to wait ${Math.ceil(asked / 1000)} s (Retry-After), longer than the ${this.maxRetryAfter / 1000} s a source waits`);
        await abortable(asked ?? this.backoffMs(retry), this.signal);
        retry++;
        continue;
      }
      throw new HttpSourceError(this.mask(this.statusMessage(describe, answer, retry + 1)));
    }
  }

  /** One try, whatever status it answers; a network failure throws, described. */
  async sendOnce(request: OutgoingRequest): Promise<HttpAnswer> {
    const describe = this.mask(`${request.method} ${request.url.href}`);
    const tried = await this.attempt(request, describe);
    if ("failure" in tried) throw new HttpSourceError(this.mask(`${describe}: ${tried.failure.message}`));
    return tried.answer;
  }

  private async attempt(request: OutgoingRequest, describe: string): Promise<{ answer: HttpAnswer } | { failure: NetworkFailure }> {
    const timeout = AbortSignal.timeout(this.limits.timeoutMs);
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: "follow",
        signal: this.signal ? AbortSignal.any([this.signal, timeout]) : timeout,
      });
      return { answer: { status: response.status, headers: response.headers, url: new URL(response.url || request.url.href), body: await readCapped(response, this.cap, describe) } };
    } catch (error) {
      if (this.signal?.aborted) throw this.signal.reason;
      if (error instanceof HttpSourceError) throw error;
      return { failure: describeNetworkFailure(error, request.url, this.limits.timeoutMs) };
    }
  }

  private statusMessage(describe: string, answer: HttpAnswer, tries: number): string {
    const said = excerpt(answer.body);
    const body = said ? `: ${said}` : "";
    const after = tries > 1 ? ` after ${tries} tries` : "";
    if (answer.status === 401) return `${describe} answered 401 Unauthorized: the API refused the credentials; check the connection's authentication${body}`;
    if (answer.status === 403) return `${describe} answered 403 Forbidden: the credentials are not allowed to read this${body}`;
    if (answer.status === 429) return `${describe} answered 429 Too Many Requests${after}: lower the requests per second${body}`;
    return `${describe} answered ${answer.status}${after}${body}`;
  }
}
