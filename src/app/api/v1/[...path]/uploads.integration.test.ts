import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { createApiToken } from "@/server/auth/tokens";
import { createMember, sessionCookieFor } from "@/server/testing/callers";
import { closeDatabaseClients, getPrisma } from "@/server/db/client";
import { uploadPath } from "@/server/storage";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { defaultWorkspaceId } from "@/server/workspace";
import { csvChunks, multipartHeaders, multipartStream, streamingRequest, type MultipartFile } from "@/server/rest/testing";
import { GET, POST } from "./route";
import { POST as sameOriginUpload } from "../../uploads/route";

const LIMIT = 6 * 1024 * 1024;

let db: TestDatabase;
let prisma: PrismaClient;
let workspaceId: string;
let token: string;
let cookie: string;
let dataDir: string;

interface Uploaded {
  id: string;
  filename: string;
  size: number;
  sha256: string;
  columns: { name: string; type: string }[];
}
interface ErrorBody {
  error: { code: string; message: string };
}

function upload(file: MultipartFile, headers: Record<string, string> = {}, handler = POST, url = "http://localhost/api/v1/uploads") {
  const { body, sent } = multipartStream(file);
  const response = handler(streamingRequest(url, { method: "POST", headers: { authorization: `Bearer ${token}`, ...multipartHeaders(headers) }, body }));
  return { response, sent };
}

async function storedFiles(): Promise<string[]> {
  const dir = path.dirname(uploadPath(workspaceId, "x"));
  return readdir(dir).catch(() => []);
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "sluice-uploads-"));
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_DATA_DIR = dataDir;
  process.env.SLUICE_MAX_UPLOAD_BYTES = String(LIMIT);
  prisma = getPrisma();
  workspaceId = await defaultWorkspaceId(prisma);
  const owner = await createMember(prisma, workspaceId, "owner");
  process.env.SLUICE_AUTH_SECRET = "integration-test-secret-of-at-least-32-characters";
  cookie = await sessionCookieFor(await createMember(prisma, workspaceId, "editor"));
  token = (await createApiToken({ prisma, workspaceId, userId: owner.id, role: owner.role }, { name: "uploads" })).token;
});

afterAll(async () => {
  await closeDatabaseClients();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("POST /api/v1/uploads", () => {
  it("streams a multi-megabyte CSV to disk with the right checksum and inspects it", async () => {
    const { response, sent } = upload({ filename: "customers.csv", chunks: () => csvChunks(50_000) });
    const res = await response;
    expect(res.status).toBe(201);
    const body = (await res.json()) as Uploaded;
    const { sha256, size } = sent();
    expect(size).toBeGreaterThan(4 * 1024 * 1024);
    expect(body).toEqual({
      id: expect.any(String),
      filename: "customers.csv",
      size,
      sha256,
      columns: [
        { name: "id", type: "integer" },
        { name: "name", type: "string" },
        { name: "amount", type: "number" },
        { name: "day", type: "date" },
      ],
    });
    const onDisk = await readFile(uploadPath(workspaceId, body.id));
    expect(createHash("sha256").update(onDisk).digest("hex")).toBe(sha256);
    expect(await storedFiles()).toEqual([body.id]);

    const row = await prisma.upload.findUniqueOrThrow({ where: { id: body.id } });
    expect(row).toMatchObject({ workspaceId, filename: "customers.csv", contentType: "text/csv", size: BigInt(size), sha256 });
    expect(row.inspection).toMatchObject({ kind: "csv", format: { delimiter: ",", header: true }, columns: body.columns });
  });

  it("lets a pipeline run from the uploaded file", async () => {
    const res = await upload({ filename: "small.csv", chunks: () => csvChunks(10) }).response;
    const { id: uploadId } = (await res.json()) as Uploaded;
    const graph = { format: 1, name: "From upload", nodes: [{ id: "src", type: "source.csv", config: { file: `upload:${uploadId}` } }], edges: [], params: [{ name: "reason", type: "string" }] };
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await POST(new Request("http://localhost/api/v1/pipelines", { method: "POST", headers, body: JSON.stringify({ graph }) }));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const started = await POST(new Request(`http://localhost/api/v1/pipelines/${id}/runs`, { method: "POST", headers, body: JSON.stringify({ params: { reason: "test" } }) }));
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const run = (await (await GET(new Request(`http://localhost/api/v1/runs/${runId}`, { headers }))).json()) as Record<string, unknown>;
    expect(run).toMatchObject({ id: runId, pipelineId: id, trigger: "api", params: { reason: "test" }, nodes: [expect.objectContaining({ nodeId: "src", rowsIn: expect.any(Number) })] });
  });

  it("refuses a file over the limit while it streams and leaves nothing behind", async () => {
    const before = await storedFiles();
    const uploadsBefore = await prisma.upload.count();
    const res = await upload({ filename: "huge.csv", chunks: () => csvChunks(80_000) }).response;
    expect(res.status).toBe(413);
    const { error } = (await res.json()) as ErrorBody;
    expect(error).toEqual({ code: "payload_too_large", message: `The file is larger than the limit of 6 MiB (${LIMIT} bytes)` });
    expect(await storedFiles()).toEqual(before);
    expect(await prisma.upload.count()).toBe(uploadsBefore);
  });

  it("leaves nothing behind when the client goes away mid-upload", async () => {
    const before = await storedFiles();
    const uploadsBefore = await prisma.upload.count();
    const { body } = multipartStream({ filename: "cut.csv", chunks: () => csvChunks(20_000) });
    const reader = body.getReader();
    let forwarded = 0;
    const cut = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await reader.read();
        if (next.done || ++forwarded > 3) return controller.error(new Error("connection reset"));
        controller.enqueue(next.value);
      },
    });
    const res = await POST(streamingRequest("http://localhost/api/v1/uploads", { method: "POST", headers: { authorization: `Bearer ${token}`, ...multipartHeaders() }, body: cut }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(/interrupted/);
    expect(await storedFiles()).toEqual(before);
    expect(await prisma.upload.count()).toBe(uploadsBefore);
  });

  it("refuses a declared Content-Length over the limit before reading", async () => {
    let produced = 0;
    const { response } = upload(
      {
        filename: "huge.csv",
        chunks: function* () {
          for (const chunk of csvChunks(80_000)) {
            produced++;
            yield chunk;
          }
        },
      },
      { "content-length": String(LIMIT * 2) },
    );
    const res = await response;
    expect(res.status).toBe(413);
    expect(produced).toBeLessThan(3);
  });

  it("accepts JSON files and records what was inspected", async () => {
    const res = await upload({ filename: "rows.ndjson", contentType: "application/x-ndjson", chunks: () => [new TextEncoder().encode('{"a":1}\n{"a":2}\n')] }).response;
    expect(res.status).toBe(201);
    const body = (await res.json()) as Uploaded;
    expect((await prisma.upload.findUniqueOrThrow({ where: { id: body.id } })).inspection).toMatchObject({ kind: "json", columns: body.columns });
  });

  it("stores a UTF-16 file (told by its byte order mark) as UTF-8, whatever its chunks split", async () => {
    const text = "city,note\nKøbenhavn,🙂 ok\nZürich,€ and 東京\n";
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le).swap16();
    for (const [bytes, encoding] of [[le, "utf-16le"], [be, "utf-16be"]] as const) {
      // Odd-sized pieces cut code units and the emoji's surrogate pair in half.
      const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
      const res = await upload({ filename: `${encoding}.csv`, chunks: () => pieces }).response;
      expect(res.status, encoding).toBe(201);
      const body = (await res.json()) as Uploaded;
      expect(body.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(await readFile(uploadPath(workspaceId, body.id), "utf8")).toBe(text);
      expect((await prisma.upload.findUniqueOrThrow({ where: { id: body.id } })).inspection).toMatchObject({ kind: "csv", decodedFrom: encoding });
    }
  });

  it("refuses files that look binary, and UTF-16 that is not, with the reason", async () => {
    const before = await storedFiles();
    const png = await upload({ filename: "photo.csv", chunks: () => [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52])] }).response;
    expect(png.status).toBe(400);
    expect(((await png.json()) as ErrorBody).error.message).toBe("photo.csv looks like a binary file, not text: it has a NUL byte at byte 8 (a UTF-16 text file needs a byte order mark to be read)");
    const noBom = await upload({ filename: "no-bom.csv", chunks: () => [Buffer.from("a,b\n1,2\n", "utf16le")] }).response;
    expect(((await noBom.json()) as ErrorBody).error.message).toMatch(/^no-bom\.csv looks like a binary file, not text: it has a NUL byte at byte 1/);
    const lone = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a,b\n", "utf16le"), Buffer.from([0x00, 0xd8, 0x41, 0x00])]);
    const broken = await upload({ filename: "broken.csv", chunks: () => [lone] }).response;
    expect(((await broken.json()) as ErrorBody).error.message).toMatch(/^broken\.csv starts with a UTF-16LE byte order mark but is not valid UTF-16LE/);
    expect(await storedFiles()).toEqual(before);
  });

  it("explains what is wrong with files it cannot use", async () => {
    const before = await storedFiles();
    const exe = await upload({ filename: "tool.exe", chunks: () => [new Uint8Array([1, 2, 3])] }).response;
    expect(exe.status).toBe(400);
    expect(((await exe.json()) as ErrorBody).error).toEqual({ code: "invalid_file", message: expect.stringMatching(/^tool\.exe is not a supported file type: upload a \.csv/) });
    const empty = await upload({ filename: "empty.csv", chunks: () => [] }).response;
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as ErrorBody).error.message).toBe("empty.csv is empty");
    expect(await storedFiles()).toEqual(before);

    const unauthenticated = await POST(new Request("http://localhost/api/v1/uploads", { method: "POST", headers: multipartHeaders(), body: "x" }));
    expect(unauthenticated.status).toBe(401);
  });
});

describe("POST /api/uploads (the editor's same-origin endpoint)", () => {
  it("stores a file for a signed-in editor, without a token", async () => {
    const { body, sent } = multipartStream({ filename: "ui.csv", chunks: () => csvChunks(100) });
    const res = await sameOriginUpload(
      streamingRequest("http://localhost:3000/api/uploads", { method: "POST", headers: multipartHeaders({ origin: "http://localhost:3000", host: "localhost:3000", cookie }), body }),
    );
    expect(res.status).toBe(201);
    expect(((await res.json()) as Uploaded).sha256).toBe(sent().sha256);
  });

  // Other origins are refused before the handler, at the front door (src/server/http/front-door.integration.test.ts).
  it("answers errors as JSON", async () => {
    const tooBig = multipartStream({ filename: "huge.csv", chunks: () => csvChunks(80_000) });
    const res = await sameOriginUpload(streamingRequest("http://localhost:3000/api/uploads", { method: "POST", headers: multipartHeaders({ cookie }), body: tooBig.body }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.code).toBe("payload_too_large");
  });
});

describe("POST /api/uploads refuses", () => {
  it("anonymous callers with 401 and viewers with 403", async () => {
    const anonymous = await sameOriginUpload(streamingRequest("http://localhost:3000/api/uploads", { method: "POST", headers: multipartHeaders(), body: "x" }));
    expect(anonymous.status).toBe(401);
    const viewer = await sessionCookieFor(await createMember(prisma, workspaceId, "viewer"));
    const refused = await sameOriginUpload(streamingRequest("http://localhost:3000/api/uploads", { method: "POST", headers: multipartHeaders({ cookie: viewer }), body: "x" }));
    expect(refused.status).toBe(403);
  });
});
