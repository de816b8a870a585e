import type { Readable } from "node:stream";

/**
 * Hands a Node stream's chunks to a web response body as the client reads them (backpressure
 * both ways); a client that goes away destroys the source. Text chunks are encoded, since a
 * web response body carries only bytes.
 */
export function toWebStream(stream: Readable): ReadableStream<Uint8Array> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<string | Uint8Array>;
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(typeof next.value === "string" ? encoder.encode(next.value) : next.value);
    },
    cancel() {
      stream.destroy();
    },
  });
}

/** A CSV download that is written as it is read, never held whole. */
export function csvDownload(stream: Readable, filename: string): Response {
  return new Response(toWebStream(stream), {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" },
  });
}
