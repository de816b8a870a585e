import { createHash } from "node:crypto";

/** Helpers for tests that call the API's route handlers with real Requests. */

export const MULTIPART_BOUNDARY = "----sluice-test-7d1f0e";

export interface MultipartFile {
  filename: string;
  contentType?: string;
  /** The file's bytes, produced lazily so multi-megabyte files are never held whole. */
  chunks: () => Iterable<Uint8Array>;
}

/**
 * A multipart/form-data body with one `file` part, as a stream without Content-Length
 * (the way a chunked upload arrives), and the SHA-256 and size of the file bytes sent.
 */
export function multipartStream(file: MultipartFile, field = "file") {
  const hash = createHash("sha256");
  let size = 0;
  const encoder = new TextEncoder();
  const head = encoder.encode(
    `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${file.filename}"\r\n` +
      `Content-Type: ${file.contentType ?? "text/csv"}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${MULTIPART_BOUNDARY}--\r\n`);
  const iterator = (function* () {
    yield head;
    for (const chunk of file.chunks()) {
      hash.update(chunk);
      size += chunk.byteLength;
      yield chunk;
    }
    yield tail;
  })();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
  return { body, sent: () => ({ sha256: hash.digest("hex"), size }) };
}

export function multipartHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { "content-type": `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`, ...extra };
}

/** `rows` CSV lines of about 100 bytes after a header: `id,name,amount,day`. */
export function* csvChunks(rows: number, rowsPerChunk = 5000): Iterable<Uint8Array> {
  const encoder = new TextEncoder();
  yield encoder.encode("id,name,amount,day\n");
  for (let start = 0; start < rows; start += rowsPerChunk) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(rows, start + rowsPerChunk); i++) {
      lines.push(`${i},customer number ${i} with a long enough name to pad the line out,${(i * 1.25).toFixed(2)},2026-11-${String((i % 28) + 1).padStart(2, "0")}\n`);
    }
    yield encoder.encode(lines.join(""));
  }
}

/** Node's fetch needs `duplex: "half"` to send a stream body; the DOM typings do not know the option yet. */
interface StreamingRequestInit extends RequestInit {
  duplex: "half";
}

export function streamingRequest(url: string, init: Omit<RequestInit, "body"> & { body: ReadableStream<Uint8Array> | string }): Request {
  const withDuplex: StreamingRequestInit = { ...init, duplex: "half" };
  return new Request(url, withDuplex);
}

type THttpHandler = (request: Request) => Promise<Response>;

/**
 * Calls the API's route handlers with a bearer token, as a script does: `call` gives the
 * Response, `json` its status and parsed body, `finished` polls a run until it has ended.
 */
export function restClient(token: string, handlers: Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", THttpHandler>>) {
  const call = (method: keyof typeof handlers, route: string, body?: unknown): Promise<Response> => {
    const handler = handlers[method];
    if (!handler) throw new Error(`restClient was given no ${method} handler`);
    return handler(
      new Request(`http://localhost/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  };
  const json = async <T>(method: keyof typeof handlers, route: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await call(method, route, body);
    return { status: response.status, body: (await response.json()) as T };
  };
  const finished = async (runId: string) => {
    for (let i = 0; i < 600; i++) {
      const { body } = await json<{ status: string; [key: string]: unknown }>("GET", `/runs/${runId}`);
      if (!["queued", "running"].includes(body.status)) return body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`run ${runId} did not finish`);
  };
  return { call, json, finished };
}
