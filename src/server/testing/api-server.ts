import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ApiRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request arrived. */
  at: number;
}

/** What the test API does with one request: answer (JSON or raw text), drop the connection, or never answer. */
export type ApiAnswer =
  | { status?: number; headers?: Record<string, string>; json: unknown }
  | { status?: number; headers?: Record<string, string>; text: string }
  | { reset: true }
  | { hang: true };

/**
 * A real HTTP server on loopback (port 0) standing in for a REST API: `answer` decides each
 * response from the request, so a test can page, authenticate, rate-limit, fail or misbehave.
 * Every request is recorded in `requests`.
 */
export async function startApiServer(answer: (request: ApiRequest, index: number) => ApiAnswer | Promise<ApiAnswer>) {
  const requests: ApiRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: ApiRequest = {
        method: req.method ?? "",
        url: new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      requests.push(request);
      void Promise.resolve(answer(request, requests.length - 1)).then((reply) => {
        if ("reset" in reply) return req.socket.destroy();
        if ("hang" in reply) return;
        const status = reply.status ?? 200;
        const body = "json" in reply ? JSON.stringify(reply.json) : reply.text;
        // A declared length unless the test asks for a chunked body (a server streaming without announcing its size).
        const length = reply.headers?.["transfer-encoding"] ? {} : { "content-length": String(Buffer.byteLength(body)) };
        res.writeHead(status, { "content-type": "json" in reply ? "application/json" : "text/plain", ...length, ...reply.headers }).end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
