import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { GET as healthGet } from "@/app/api/health/route";
import { GET as quarantineExport } from "@/app/api/quarantine/export/route";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { POST as trpcPost, GET as trpcGet } from "@/app/api/trpc/[trpc]/route";
import { POST as uploadPost } from "@/app/api/uploads/route";
import { GET as restGet } from "@/app/api/v1/[...path]/route";
import { createApiToken } from "@/server/auth/tokens";
import { closeDatabaseClients, getPrisma } from "@/server/db/client";
import { startWorker, type WorkerHandle } from "@/server/jobs/worker";
import { multipartHeaders, multipartStream } from "@/server/rest/testing";
import { createMember, sessionCookieFor, type TTestMember } from "@/server/testing/callers";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { serveRoute } from "@/server/testing/route-server";

/**
 * The corpus of hostile input an attacker (or an unlucky file) sends, through tRPC, REST and
 * the route handlers over real HTTP behind the front door: bad ids, unicode tricks and script
 * payloads in pipeline names, column names and record values. Every one is either stored and
 * read back exactly as sent, or refused with a 4xx that says why; never a 500, never a server
 * path or stack trace. (Body size and depth: src/app/api/body-limits.integration.test.ts;
 * wrong tokens: src/app/api/bearer-throttle.integration.test.ts; CSV formula cells:
 * src/server/export/csv.test.ts and below.)
 */

let db: TestDatabase;
let prisma: PrismaClient;
let owner: TTestMember;
let cookie: string;
let token: string;
let app: Awaited<ReturnType<typeof serveRoute>>;
let worker: WorkerHandle;
let dataDir: string;
const ROOT = path.resolve(import.meta.dirname, "../../..");

function routes(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith("/api/trpc/")) return request.method === "GET" ? trpcGet(request) : trpcPost(request);
  if (pathname === "/api/uploads") return uploadPost(request);
  if (pathname.startsWith("/api/auth/")) return authPost(request);
  if (pathname === "/api/health") return healthGet();
  if (pathname === "/api/quarantine/export") return quarantineExport(request);
  return restGet(request);
}

/** Text a person can type and Sluice must keep exactly: shown as text, never run, never "cleaned". */
const KEPT: Record<string, string> = {
  script: "<script>window.__pwned=1</script>",
  attribute: `"><img src=x onerror="window.__pwned=1">`,
  svg: "<svg/onload=window.__pwned=1>",
  rtlOverride: "report\u202Egpj.exe",
  zeroWidth: "pay\u200Broll\uFEFF\u200Dday\u2060",
  combining: "Z\u0337\u0322a\u0336l\u0338g\u0335o",
  emoji: "\u{1F469}\u200D\u{1F469}\u200D\u{1F467} team",
  sqlish: "'; DROP TABLE pipelines; --",
  formula: '=HYPERLINK("http://evil.example","click")',
  template: "{{constructor.constructor('return 1')()}} ${7*7}",
};

/** Text PostgreSQL cannot store as sent (NUL) or that has no UTF-8 form (lone surrogates): refused, never silently changed. */
const UNSTORABLE: Record<string, string> = {
  nul: "before\u0000after",
  loneHigh: "broken \uD800 pair",
  loneLow: "\uDC00",
};

/** Ids that are not ids: each must read as "not found" or "invalid", and find nothing. */
const BAD_IDS = [
  "42",
  "not-a-uuid",
  "' OR '1'='1",
  "1; DROP TABLE pipelines; --",
  "../../../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "%00",
  "\u0000",
  "\uD800",
  "<script>alert(1)</script>",
  "00000000-0000-0000-0000-000000000000' --",
  "x".repeat(5000),
];

/** Path segments as an attacker writes them, including escapes that decode to nothing valid (%ED%A0%80 is a surrogate's bytes). */
const BAD_ID_SEGMENTS = [
  ...BAD_IDS.filter((id) => id !== "\uD800").map(encodeURIComponent),
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e",
  "%00",
  "%ED%A0%80",
  "%FF%FE",
  "%",
  "%zz",
];

function expectNoInternals(text: string) {
  expect(text).not.toContain(ROOT);
  expect(text).not.toMatch(/\/(home|root|work|usr|tmp)\//);
  expect(text).not.toMatch(/\.(ts|tsx|js|mjs|cjs):\d+/);
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain("\\n    at ");
  expect(text).not.toMatch(/"stack"/);
  expect(text).not.toMatch(/prisma\.\w+\.\w+\(\)|invocation|PrismaClient|pg_catalog|syntax error at/i);
}

async function answer(response: Response) {
  const text = await response.text();
  return { status: response.status, text, json: text.startsWith("{") || text.startsWith("[") ? (JSON.parse(text) as unknown) : null };
}

function trpcMutation(procedure: string, input: unknown) {
  return fetch(`${app.url}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { origin: app.url, cookie, "content-type": "application/json" },
    body: JSON.stringify({ json: input }),
  }).then(answer);
}

function trpcQuery(procedure: string, input: unknown) {
  return fetch(`${app.url}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers: { cookie } }).then(answer);
}

function rest(method: string, route: string, body?: unknown) {
  return fetch(`${app.url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(answer);
}

/** A 4xx with a message written for people, and nothing of the server's insides. */
function expectClearRefusal(result: { status: number; text: string }, context: string) {
  expect(result.status, `${context}: ${result.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(result.status, `${context}: ${result.text.slice(0, 300)}`).toBeLessThan(500);
  expect(result.text.length, context).toBeGreaterThan(0);
  expectNoInternals(result.text);
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "sluice-hostile-"));
  Object.assign(process.env, { DATABASE_URL: db.url, SLUICE_DATA_DIR: dataDir, SLUICE_AUTH_SECRET: "integration-test-secret-of-at-least-32-characters" });
  prisma = getPrisma();
  const workspace = await prisma.workspace.create({ data: { name: "Hostile" } });
  owner = await createMember(prisma, workspace.id, "owner", "hostile owner");
  cookie = await sessionCookieFor(owner);
  token = (await createApiToken({ prisma, workspaceId: owner.workspaceId, userId: owner.id, role: "owner" }, { name: "hostile" })).token;
  app = await serveRoute(routes);
  worker = await startWorker({ connectionString: db.url, concurrency: 1, staleSeconds: 5 });
});

afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await closeDatabaseClients();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("pipeline names", () => {
  it("with script payloads and unicode tricks are stored and read back exactly, over tRPC and REST", async () => {
    for (const [label, name] of Object.entries(KEPT)) {
      const created = await trpcMutation("pipelines.create", { name });
      expect(created.status, `${label}: ${created.text}`).toBe(200);
      const { id } = (created.json as { result: { data: { json: { id: string } } } }).result.data.json;
      const read = await trpcQuery("pipelines.get", { id });
      expect((read.json as { result: { data: { json: { name: string } } } }).result.data.json.name, label).toBe(name);
      const viaRest = await rest("GET", `/pipelines/${id}`);
      expect((viaRest.json as { name: string }).name, label).toBe(name);

      const posted = await rest("POST", "/pipelines", { name, graph: { format: 1, name, nodes: [], edges: [] } });
      expect(posted.status, `${label}: ${posted.text}`).toBe(201);
      expect((await prisma.pipeline.findUniqueOrThrow({ where: { id: (posted.json as { id: string }).id } })).name, label).toBe(name);
    }
  });

  it("that cannot be stored as sent are refused with 400 naming the problem, and nothing is created", async () => {
    const before = await prisma.pipeline.count();
    for (const [label, name] of Object.entries(UNSTORABLE)) {
      const created = await trpcMutation("pipelines.create", { name });
      expectClearRefusal(created, `tRPC ${label}`);
      expect(created.status, label).toBe(400);
      const posted = await rest("POST", "/pipelines", { name, graph: { format: 1, name, nodes: [], edges: [] } });
      expectClearRefusal(posted, `REST ${label}`);
      expect(posted.status, label).toBe(400);
    }
    expect(await prisma.pipeline.count()).toBe(before);
  });
});

const isDotSegment = (segment: string) => /^(\.|%2e){1,2}$/i.test(segment);

describe("bad ids", () => {
  it("are refused or not found on every REST path that takes one", async () => {
    const routesWithIds = [
      ["GET", (id: string) => `/pipelines/${id}`],
      ["PUT", (id: string) => `/pipelines/${id}`],
      ["POST", (id: string) => `/pipelines/${id}/runs`],
      ["GET", (id: string) => `/runs/${id}`],
      ["GET", (id: string) => `/runs/${id}/quarantine`],
      ["POST", (id: string) => `/runs/${id}/cancel`],
      ["PATCH", (id: string) => `/quarantine/${id}`],
      ["GET", (id: string) => `/lineage/${id}`],
      ["GET", (id: string) => `/pipelines/${id}/schedule`],
      ["GET", (id: string) => `/pipelines/${id}/webhook`],
      ["GET", (id: string) => `/pipelines/${id}/dependencies`],
      ["GET", (id: string) => `/connections/${id}`],
    ] as const;
    for (const segment of BAD_ID_SEGMENTS) {
      for (const [method, route] of routesWithIds) {
        const result = await rest(method, route(segment), method === "GET" ? undefined : { record: {}, graph: { format: 1, name: "x", nodes: [], edges: [] } });
        const context = `${method} ${route("…")} with ${segment.slice(0, 40)}`;
        // URL parsing resolves an encoded ".." before routing: /runs/%2e%2e/quarantine is a request for
        // /quarantine, which may exist; no id reached a route, so only a server error would be wrong.
        if (isDotSegment(segment)) expect(result.status, context).toBeLessThan(500);
        else expectClearRefusal(result, context);
      }
    }
  });

  it("are refused or not found on every tRPC procedure that takes one", async () => {
    const queries = ["pipelines.get", "pipelines.versions", "runs.get", "quarantine.get"];
    const mutations: [string, (id: string) => unknown][] = [
      ["pipelines.save", (id) => ({ id, graph: { format: 1, name: "x", nodes: [], edges: [] } })],
      ["runs.cancel", (id) => ({ id })],
      ["quarantine.edit", (id) => ({ id, record: {} })],
    ];
    for (const bad of BAD_IDS) {
      for (const procedure of queries) expectClearRefusal(await trpcQuery(procedure, { id: bad }), `${procedure} with ${JSON.stringify(bad.slice(0, 40))}`);
      for (const [procedure, input] of mutations) expectClearRefusal(await trpcMutation(procedure, input(bad)), `${procedure} with ${JSON.stringify(bad.slice(0, 40))}`);
    }
  });
});

/** CSV text of one cell, quoted (RFC 4180) since payloads carry quotes and commas. */
function csvText(cell: string): string {
  return `"${cell.replaceAll('"', '""')}"`;
}

async function uploadCsv(csv: string) {
  const { body } = multipartStream({ filename: "hostile.csv", chunks: () => [new TextEncoder().encode(csv)] });
  const response = await fetch(`${app.url}/api/v1/uploads`, { method: "POST", headers: { authorization: `Bearer ${token}`, ...multipartHeaders() }, body, duplex: "half" } as RequestInit);
  const result = await answer(response);
  expect(result.status, result.text).toBe(201);
  return (result.json as { id: string }).id;
}

async function finished(runId: string) {
  for (let i = 0; i < 600; i++) {
    const run = await rest("GET", `/runs/${runId}`);
    const status = (run.json as { status: string }).status;
    if (!["queued", "running"].includes(status)) return run.json as { status: string; error?: string };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

let quarantined: { runId: string; recordId: string; record: Record<string, string> } | undefined;

describe("column names and record values", () => {
  const columns = { script: KEPT.script!, attribute: KEPT.attribute!, rtl: KEPT.rtlOverride!, zeroWidth: KEPT.zeroWidth!, formula: "=SUM(A1:A9)" };
  const values = [KEPT.script!, KEPT.attribute!, KEPT.emoji!, KEPT.sqlish!, KEPT.formula!];

  it("from a CSV upload reach quarantine exactly as in the file, over REST and tRPC", async () => {
    const header = ["id", ...Object.values(columns), "score"].map(csvText).join(",");
    const csv = `${header}\n1,${values.map(csvText).join(",")},10\n2,${values.map(csvText).join(",")},not a number\n`;
    const uploadId = await uploadCsv(csv);
    const created = await rest("POST", "/pipelines", {
      name: KEPT.script,
      graph: {
        format: 1,
        name: KEPT.script,
        nodes: [
          { id: "src", type: "source.csv", config: { file: `upload:${uploadId}` } },
          { id: "val", type: "validate", config: { rules: [{ field: "score", type: "integer", required: true }] } },
          { id: "dst", type: "destination.postgres", config: { table: "hostile_rows", mode: "append" } },
        ],
        edges: [
          { from: "src", to: "val" },
          { from: "val", to: "dst" },
        ],
      },
    });
    expect(created.status, created.text).toBe(201);
    const started = await rest("POST", `/pipelines/${(created.json as { id: string }).id}/runs`, {});
    expect(started.status, started.text).toBe(202);
    const runId = (started.json as { runId: string }).runId;
    expect(await finished(runId)).toMatchObject({ status: "succeeded" });

    const expected = { id: "2", ...Object.fromEntries(Object.values(columns).map((c, i) => [c, values[i]!])), score: "not a number" };
    const page = await rest("GET", `/runs/${runId}/quarantine`);
    const records = (page.json as { records: { id: string; record: Record<string, string> }[] }).records;
    expect(records).toHaveLength(1);
    expect(records[0]!.record).toEqual(expected);
    const viaTrpc = await trpcQuery("quarantine.get", { id: String(records[0]!.id) });
    expect(viaTrpc.status, viaTrpc.text).toBe(200);
    expect(viaTrpc.text).toContain(JSON.stringify(KEPT.attribute).slice(1, -1));

    // The passed row landed under the same column names.
    const landed = await db.pool.query(`SELECT * FROM hostile_rows`);
    expect(landed.rows).toHaveLength(1);
    expect(Object.keys(landed.rows[0] as object)).toEqual(expect.arrayContaining(Object.values(columns)));
    quarantined = { runId, recordId: String(records[0]!.id), record: expected };
  });

  it("edited to script payloads are stored exactly; unstorable ones are refused and change nothing", async () => {
    const { recordId, record } = quarantined!;
    const edited = { ...record, score: "7", [columns.script]: `${KEPT.attribute}${KEPT.rtlOverride}` };
    const patched = await rest("PATCH", `/quarantine/${recordId}`, { record: edited });
    expect(patched.status, patched.text).toBe(200);
    expect((await prisma.quarantinedRecord.findUniqueOrThrow({ where: { id: BigInt(recordId) } })).record).toEqual(edited);

    for (const [label, bad] of Object.entries(UNSTORABLE)) {
      const viaRest = await rest("PATCH", `/quarantine/${recordId}`, { record: { ...edited, score: bad } });
      expectClearRefusal(viaRest, `REST value ${label}`);
      expect(viaRest.status).toBe(400);
      expect((viaRest.json as { error: { message: string } }).error.message).toContain("record.score");
      const asKey = await trpcMutation("quarantine.edit", { id: recordId, record: { ...edited, [bad]: "1" } });
      expectClearRefusal(asKey, `tRPC key ${label}`);
      expect(asKey.status).toBe(400);
    }
    expect((await prisma.quarantinedRecord.findUniqueOrThrow({ where: { id: BigInt(recordId) } })).record).toEqual(edited);
  });

  it("are exported to CSV with formula cells, column names included, prefixed so spreadsheets show them as text", async () => {
    const response = await fetch(`${app.url}/api/quarantine/export?runId=${quarantined!.runId}`, { headers: { cookie } });
    const csv = await response.text();
    expect(response.status, csv).toBe(200);
    expect(csv).toContain(`'${columns.formula}`);
    expect(csv).toContain(csvText(`'${KEPT.formula}`));
    expect(csv).not.toMatch(/(^|,)=/m);
    expect(csv).toContain(csvText(KEPT.attribute!));

    for (const query of ["runId=42", "runId=%27%20OR%201%3D1%20--", "status=%3Cscript%3E", "fromAt=..%2F..%2Fetc", "node=%00", "field=%ED%A0%80"]) {
      const refused = await fetch(`${app.url}/api/quarantine/export?${query}`, { headers: { cookie } }).then(answer);
      expectClearRefusal(refused, `export with ${query}`);
      if (refused.status === 400) expect(JSON.parse(refused.text), query).toMatchObject({ error: { code: "invalid_request" } });
    }
  });
});

describe("the sign-in endpoint", () => {
  it("answers hostile emails with a 4xx, not a 500", async () => {
    for (const email of [...Object.values(UNSTORABLE), KEPT.script, `${KEPT.attribute}@example.test`, "a".repeat(10_000)]) {
      const result = await fetch(`${app.url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { origin: app.url, "content-type": "application/json" },
        body: JSON.stringify({ email, password: "whatever it is, long enough" }),
      }).then(answer);
      expectClearRefusal(result, `sign-in with ${JSON.stringify(email!.slice(0, 30))}`);
    }
  });
});

describe("security headers", () => {
  it("are on every kind of answer: tRPC, REST, route handlers, errors and the door's refusals", async () => {
    const answers = {
      trpc: await fetch(`${app.url}/api/trpc/pipelines.list`, { headers: { cookie } }),
      trpcError: await fetch(`${app.url}/api/trpc/pipelines.get?input=${encodeURIComponent('{"json":{"id":"42"}}')}`, { headers: { cookie } }),
      rest: await fetch(`${app.url}/api/v1/pipelines`, { headers: { authorization: `Bearer ${token}` } }),
      restUnauthorized: await fetch(`${app.url}/api/v1/pipelines`),
      openapi: await fetch(`${app.url}/api/v1/openapi.json`),
      health: await fetch(`${app.url}/api/health`),
      export: await fetch(`${app.url}/api/quarantine/export`, { headers: { cookie } }),
      crossOrigin: await fetch(`${app.url}/api/trpc/pipelines.create`, { method: "POST", headers: { cookie, origin: "https://attacker.example" }, body: "{}" }),
      tooLarge: await fetch(`${app.url}/api/v1/pipelines`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "x".repeat(3 * 1024 * 1024) }),
    };
    for (const [label, response] of Object.entries(answers)) {
      await response.arrayBuffer();
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, label).toContain("default-src 'self'");
      expect(csp, label).toContain("frame-ancestors 'none'");
      expect(csp, label).toContain("object-src 'none'");
      expect(csp, label).not.toContain("unsafe-eval");
      expect(response.headers.get("x-frame-options"), label).toBe("DENY");
      expect(response.headers.get("x-content-type-options"), label).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), label).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("permissions-policy"), label).toContain("camera=()");
    }
    expect(answers.crossOrigin.status).toBe(403);
    expect(answers.tooLarge.status).toBe(413);
  });
});
