import type { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ApiError } from "./errors";
import { MULTIPART_OVERHEAD_BYTES, receiveFile } from "./multipart";
import { streamingRequest } from "./testing";

const BOUNDARY = "----sluice-test-boundary";

function multipart(parts: { name: string; filename?: string; content: string }[]): string {
  return (
    parts
      .map(
        (p) =>
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ""}\r\n` +
          `${p.filename ? "Content-Type: text/csv\r\n" : ""}\r\n${p.content}\r\n`,
      )
      .join("") + `--${BOUNDARY}--\r\n`
  );
}

function request(body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return streamingRequest("http://localhost/upload", {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
    body,
  });
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe("receiveFile", () => {
  it("streams the named file to onFile, ignoring other fields", async () => {
    const body = multipart([
      { name: "note", content: "hello" },
      { name: "file", filename: "a.csv", content: "a,b\n1,2\n" },
    ]);
    const result = await receiveFile(request(body), {
      field: "file",
      sizeLimit: 1000,
      onFile: async (file) => ({ filename: file.filename, contentType: file.contentType, content: await text(file.stream) }),
    });
    expect(result).toEqual({ filename: "a.csv", contentType: "text/csv", content: "a,b\n1,2\n" });
  });

  it("takes the first file and drains any later one unread", async () => {
    const body = multipart([
      { name: "file", filename: "a.csv", content: "first" },
      { name: "file", filename: "b.csv", content: "second" },
    ]);
    const seen: string[] = [];
    const result = await receiveFile(request(body), {
      field: "file",
      sizeLimit: 1000,
      onFile: async (file) => {
        seen.push(file.filename);
        return text(file.stream);
      },
    });
    expect(result).toBe("first");
    expect(seen).toEqual(["a.csv"]);
  });

  it("says which field is missing", async () => {
    const error = await rejection(receiveFile(request(multipart([{ name: "note", content: "x" }])), { field: "file", sizeLimit: 1000, onFile: async () => 1 }));
    expect(error.status).toBe(400);
    expect(error.message).toBe('The multipart field "file" with a file is missing');
  });

  it("refuses a file in another field", async () => {
    const error = await rejection(
      receiveFile(request(multipart([{ name: "upload", filename: "a.csv", content: "x" }])), { field: "file", sizeLimit: 1000, onFile: async () => 1 }),
    );
    expect(error.message).toMatch(/Unexpected file in multipart field "upload"/);
  });

  it("refuses other content types", async () => {
    const error = await rejection(receiveFile(request("{}", { "content-type": "application/json" }), { field: "file", sizeLimit: 1000, onFile: async () => 1 }));
    expect(error.status).toBe(415);
  });

  it("refuses a Content-Length over the limit before reading", async () => {
    let called = false;
    const error = await rejection(
      receiveFile(request("x", { "content-length": String(1000 + MULTIPART_OVERHEAD_BYTES + 1) }), {
        field: "file",
        sizeLimit: 1000,
        onFile: async () => {
          called = true;
        },
      }),
    );
    expect(error.status).toBe(413);
    expect(called).toBe(false);
  });

  it("stops reading the body when onFile gives up", async () => {
    let pulled = 0;
    const head = new TextEncoder().encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
      },
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
      },
    });
    const error = await rejection(
      receiveFile(request(body), {
        field: "file",
        sizeLimit: 100_000,
        onFile: async (file) => {
          let seen = 0;
          for await (const chunk of file.stream) {
            seen += Buffer.byteLength(chunk);
            if (seen > 100_000) throw new ApiError(413, "payload_too_large", "too big");
          }
        },
      }),
    );
    expect(error.status).toBe(413);
    // The endless body was abandoned shortly after the limit.
    expect(pulled).toBeLessThan(20);
  });
});
