import { Readable } from "node:stream";
import busboy from "busboy";
import { ApiError, badRequest, payloadTooLarge } from "./errors";

/**
 * Room for the multipart framing around the file (boundaries, part headers, small
 * fields) when judging Content-Length against a file size limit.
 */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export interface IncomingFile {
  filename: string;
  contentType: string;
  stream: Readable;
}

export interface ReceiveFileOptions<T> {
  /** The multipart field carrying the file. */
  field: string;
  /** The largest file accepted; the counting itself happens in `onFile` while it consumes the stream. */
  sizeLimit: number;
  /** Consumes the file stream; its result is the result of the whole receive. */
  onFile: (file: IncomingFile) => Promise<T>;
}

/** The request body as a Node stream; destroying the stream cancels the body. */
function bodyStream(body: ReadableStream<Uint8Array>): Readable {
  const reader = body.getReader();
  async function* chunks() {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * Streams the one file of a `multipart/form-data` request into `onFile`, never holding
 * it in memory. A too-large Content-Length is refused before a byte is read; reading
 * stops as soon as `onFile` fails (it counts the bytes), so a client cannot make the
 * server swallow an endless body.
 */
export async function receiveFile<T>(request: Request, options: ReceiveFileOptions<T>): Promise<T> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new ApiError(415, "unsupported_media_type", `Send the file as multipart/form-data in the field "${options.field}" (got ${contentType ? `"${contentType}"` : "no Content-Type"})`);
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > options.sizeLimit + MULTIPART_OVERHEAD_BYTES) throw payloadTooLarge(options.sizeLimit, "The file");
  if (!request.body) throw badRequest(`The request has no body: send the file in the multipart field "${options.field}"`);

  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { "content-type": contentType }, limits: { fields: 20, fieldSize: 64 * 1024, parts: 40 } });
  } catch (error) {
    throw badRequest(`Malformed multipart request: ${error instanceof Error ? error.message : String(error)}`);
  }
  const source = bodyStream(request.body);

  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let fileStream: Readable | undefined;
    let handling: Promise<unknown> | undefined;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      // Stop reading the request: the rest of a refused body is not worth receiving.
      source.unpipe(parser);
      source.destroy();
      fileStream?.destroy();
      // Answer only once onFile has cleaned up after itself, so nothing it wrote outlives the request.
      void (handling ?? Promise.resolve()).catch(() => {}).then(() => reject(error));
    };

    parser.on("file", (name, stream, info) => {
      // Only the first file counts; later ones are drained unread.
      if (settled || fileStream) return void stream.resume();
      if (name !== options.field) {
        stream.resume();
        fail(badRequest(`Unexpected file in multipart field "${name}": send the file in the field "${options.field}"`));
        return;
      }
      fileStream = stream;
      const handled = options.onFile({ filename: info.filename ?? "", contentType: info.mimeType || "application/octet-stream", stream });
      handling = handled;
      handled.then((value) => {
        // The file is stored: whatever trailing parts follow are read and ignored, never able to undo it.
        if (settled) return;
        settled = true;
        resolve(value);
      }, fail);
    });
    parser.on("partsLimit", () => fail(badRequest("The multipart request has too many parts")));
    parser.on("error", (error: unknown) => fail(badRequest(`Malformed multipart request: ${error instanceof Error ? error.message : String(error)}`)));
    parser.on("close", () => {
      if (!fileStream) fail(badRequest(`The multipart field "${options.field}" with a file is missing`));
    });
    source.on("error", (error) => fail(badRequest(`The upload was interrupted: ${error.message}`)));
    source.pipe(parser);
  });
}
