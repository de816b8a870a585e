import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { readEnv } from "../env";
import { frontDoor, frontDoorConfig, type TFrontDoorConfig } from "../http/front-door";

/**
 * A route handler (`(request: Request) => Promise<Response>`) behind a real HTTP server on
 * loopback, so tests send real requests over a socket (headers, chunked bodies, early
 * answers) the way Next.js hands them to the handler, through the same front door as
 * main.ts (host, origin and forwarded-header checks; `door` overrides its settings).
 */
export async function serveRoute(handler: (request: Request) => Promise<Response>, door: TFrontDoorConfig = frontDoorConfig(readEnv())) {
  const server = createServer(frontDoor(door, (req, res) => {
    const url = `http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const init: RequestInit & { duplex?: "half" } = {
      method: req.method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
    };
    handler(new Request(url, init))
      .then(async (response) => {
        const answer = Buffer.from(await response.arrayBuffer());
        // A handler that answered before reading the whole body (413) leaves the rest unread: the connection cannot be reused.
        const unread = !req.readableEnded;
        res.writeHead(response.status, { ...Object.fromEntries(response.headers), ...(unread ? { connection: "close" } : {}) });
        res.end(answer);
        if (unread) req.resume();
      })
      .catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
  }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
