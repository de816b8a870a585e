import { readdir } from "node:fs/promises";
import path from "node:path";
import type { AnyProcedure } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { handleApiRequest } from "../rest/api";
import { endpoints } from "../rest/endpoints";
import { contextFor, createMember, type TTestMember } from "../testing/callers";
import { closeDatabaseClients, getPool, getPrisma } from "../db/client";
import { isPublicPage } from "../auth/next";
import { createShare, viewShare } from "../services/shares";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createApiToken } from "../auth/tokens";
import { ROLES, type TRole } from "../auth/roles";
import { appRouter } from "./root";

/**
 * Walks every door: each tRPC procedure of the app router, each REST endpoint and each route
 * handler file under src/app/api. Anonymous callers get 401, roles below the declared one 403,
 * and a member of another workspace gets 404 (or nothing of it) for this workspace's things. A new entry point
 * that declares no role (or is public without being listed here) fails this test.
 */

/** Reachable without a session, each checking its own secret or precondition. */
const PUBLIC_PROCEDURES = ["setup.needed", "setup.createOwner", "invitations.preview", "invitations.acceptAsNewUser"];
/** Public documents: the API description (served beside this table) and OpenLineage's facet schema. */
const PUBLIC_REST = ["GET /openlineage/facets/record-lineage.json"];
/**
 * Route handler files that take no session: better-auth's own endpoints, liveness, signed
 * webhooks (the signature is their check, tested with them), and tRPC and REST (walked above).
 */
const SELF_CHECKING_ROUTES = ["auth/[...all]", "health", "hooks/[pipelineId]", "trpc/[trpc]", "v1/[...path]"];
/**
 * Bodies the endpoints accept, so the 404 walk reaches the existence check instead of stopping
 * at a 400 (which answers alike for every id and so leaks nothing); `{}` for the others.
 */
const VALID_BODIES: Record<string, unknown> = {
  "PUT /pipelines/:id": { graph: { format: 1, name: "taken over", nodes: [], edges: [] } },
  "PATCH /pipelines/:id": { name: "taken over" },
  "PUT /pipelines/:id/schedule": { cron: "5 * * * *", timezone: "Europe/Oslo" },
  "PUT /pipelines/:id/dependencies": { upstreamIds: [] },
  "PATCH /quarantine/:id": { record: { city: "Bergen" } },
  "PATCH /members/:id": { role: "viewer" },
  "PATCH /alert-rules/:id": { enabled: false },
  "PATCH /alert-channels/:id": { name: "taken over" },
  "PATCH /connections/:id": { name: "taken over" },
};
/** One below each role, for the 403 check. */
const BELOW: Partial<Record<TRole, TRole>> = { editor: "viewer", owner: "editor" };

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);
const declared = (p: AnyProcedure) => (p._def.meta as { role?: string } | undefined)?.role;

let db: TestDatabase;
let prisma: PrismaClient;
let home: string;
const members: Partial<Record<TRole, TTestMember>> = {};
let outsider: TTestMember;
let ids: {
  pipeline: string;
  run: string;
  quarantined: string;
  lineage: string;
  channel: string;
  rule: string;
  connection: string;
  member: string;
  invitation: string;
  token: string;
  share: string;
  controlRoomShare: string;
};

/** Calls a procedure by its dotted path, the way the HTTP adapter would, with `input`. */
async function call(member: TTestMember | null, procedurePath: string, input: unknown): Promise<{ code: string } | { ok: true; data: unknown }> {
  const caller = appRouter.createCaller(contextFor(member, prisma)) as unknown as Record<string, unknown>;
  const fn = procedurePath.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
  try {
    return { ok: true, data: await fn(input) };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? String(error) };
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.SLUICE_AUTH_SECRET = "integration-test-secret-of-at-least-32-characters";
  prisma = getPrisma();
  home = (await prisma.workspace.create({ data: { name: "Home" } })).id;
  for (const role of ROLES) members[role] = await createMember(prisma, home, role, `home ${role}`);
  outsider = await createMember(prisma, (await prisma.workspace.create({ data: { name: "Elsewhere" } })).id, "owner", "outsider");
  const pipeline = await prisma.pipeline.create({ data: { workspaceId: home, name: "home pipeline", latestVersion: 1 } });
  const version = await prisma.pipelineVersion.create({ data: { workspaceId: home, pipelineId: pipeline.id, number: 1, graph: { format: 1, name: "home pipeline", nodes: [], edges: [] } } });
  const run = await prisma.run.create({ data: { workspaceId: home, pipelineId: pipeline.id, versionId: version.id, status: "succeeded" } });
  const quarantined = await prisma.quarantinedRecord.create({ data: { workspaceId: home, runId: run.id, nodeId: "validate", lineageId: "home-lineage-1", record: {}, errors: [] } });
  const channel = await prisma.alertChannel.create({ data: { workspaceId: home, name: "home channel", type: "webhook", config: {} } });
  const rule = await prisma.alertRule.create({ data: { workspaceId: home, pipelineId: pipeline.id, kind: "run_failed" } });
  const connection = await prisma.connection.create({ data: { workspaceId: home, name: "home smtp", type: "smtp", config: {} } });
  const invitation = await prisma.invitation.create({ data: { workspaceId: home, role: "editor", tokenHash: "home-invitation-hash", createdBy: "home owner", expiresAt: new Date(Date.now() + 86_400_000) } });
  const token = await createApiToken({ prisma, workspaceId: home, userId: members.viewer!.id, role: "viewer" }, { name: "home token" });
  const share = await prisma.dashboardShare.create({ data: { workspaceId: home, pipelineId: pipeline.id, tokenHash: "home-share-hash", createdBy: "home editor" } });
  const controlRoomShare = await prisma.dashboardShare.create({ data: { workspaceId: home, pipelineId: null, tokenHash: "home-control-room-hash", createdBy: "home editor" } });
  ids = {
    pipeline: pipeline.id,
    run: run.id,
    quarantined: String(quarantined.id),
    lineage: quarantined.lineageId,
    channel: channel.id,
    rule: rule.id,
    connection: connection.id,
    member: members.viewer!.id,
    invitation: invitation.id,
    token: token.id,
    share: share.id,
    controlRoomShare: controlRoomShare.id,
  };
});

afterAll(async () => {
  await closeDatabaseClients();
  await db.drop();
});

describe("tRPC procedures", () => {
  it("each declare a role, and only the listed ones are public", () => {
    expect(procedures.filter(([, p]) => !declared(p)).map(([name]) => name)).toEqual([]);
    expect(procedures.filter(([, p]) => declared(p) === "public").map(([name]) => name).sort()).toEqual([...PUBLIC_PROCEDURES].sort());
  });

  it("refuse anonymous callers with UNAUTHORIZED before reading their input", async () => {
    const open: string[] = [];
    for (const [name, p] of procedures) {
      if (declared(p) === "public") continue;
      const result = await call(null, name, undefined);
      if (!("code" in result) || result.code !== "UNAUTHORIZED") open.push(`${name}: ${JSON.stringify(result)}`);
    }
    expect(open).toEqual([]);
  });

  it("refuse a role below the declared one with FORBIDDEN", async () => {
    const open: string[] = [];
    for (const [name, p] of procedures) {
      const below = BELOW[declared(p) as TRole];
      if (!below) continue;
      const result = await call(members[below]!, name, undefined);
      if (!("code" in result) || result.code !== "FORBIDDEN") open.push(`${name} as ${below}: ${JSON.stringify(result)}`);
    }
    expect(open).toEqual([]);
  });

  it("answer NOT_FOUND to a member of another workspace asking for this one's pipeline or run", async () => {
    for (const [name, input] of [
      ["pipelines.get", { id: ids.pipeline }],
      ["pipelines.versions", { id: ids.pipeline }],
      ["runs.get", { id: ids.run }],
      ["runs.start", { pipelineId: ids.pipeline }],
    ] as const) {
      expect(await call(outsider, name, input), name).toEqual({ code: "NOT_FOUND" });
      expect(await call(members.owner!, name, input), name).not.toEqual({ code: "NOT_FOUND" });
    }
    const listed = await call(outsider, "pipelines.list", undefined);
    expect(JSON.stringify(listed)).not.toContain(ids.pipeline);
  });

  it("give a member of another workspace nothing of this one's, whatever procedure they call with its ids", async () => {
    const homeThings = [ids.pipeline, ids.run, ids.channel, ids.rule, ids.connection, ids.lineage, ids.member, ids.invitation, ids.token, ids.share, ids.controlRoomShare, "home pipeline", "home channel", "home smtp", "home token"];
    const leaks: string[] = [];
    for (const [name, p] of procedures) {
      if (declared(p) === "public") continue;
      const inputs = [
        { id: ids.pipeline, pipelineId: ids.pipeline },
        { id: ids.run, runId: ids.run, pipelineId: ids.pipeline },
        ...[ids.channel, ids.rule, ids.connection, ids.invitation, ids.token, ids.share, ids.controlRoomShare].map((id) => ({ id })),
        { userId: ids.member },
        { id: ids.quarantined, ids: [ids.quarantined], recordIds: [ids.quarantined], lineageId: ids.lineage },
      ];
      for (const input of inputs) {
        const result = await call(outsider, name, input);
        const leaked = "code" in result ? !["NOT_FOUND", "BAD_REQUEST"].includes(result.code) : homeThings.some((thing) => JSON.stringify(result.data, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value)).includes(thing));
        if (leaked) leaks.push(`${name}(${JSON.stringify(input)}): ${JSON.stringify(result).slice(0, 200)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

describe("REST endpoints", () => {
  const url = (p: string) => `http://localhost:3000/api/v1${p.replace(/:(\w+)/g, "00000000-0000-4000-8000-000000000000")}`;

  it("each declare a role, and only the listed ones are public", () => {
    expect(endpoints.filter((e) => e.role === "public").map((e) => `${e.method} ${e.path}`)).toEqual(PUBLIC_REST);
  });

  it("answer 401 without a token and 403 to a token below the declared role", async () => {
    const tokens: Partial<Record<TRole, string>> = {};
    for (const role of ROLES) tokens[role] = (await createApiToken({ prisma, workspaceId: home, userId: members[role]!.id, role }, { name: role })).token;
    const open: string[] = [];
    for (const endpoint of endpoints) {
      if (endpoint.role === "public") continue;
      const anonymous = await handleApiRequest(new Request(url(endpoint.path), { method: endpoint.method }));
      if (anonymous.status !== 401) open.push(`${endpoint.method} ${endpoint.path} anonymous: ${anonymous.status}`);
      const below = BELOW[endpoint.role as TRole];
      if (!below) continue;
      const refused = await handleApiRequest(new Request(url(endpoint.path), { method: endpoint.method, headers: { authorization: `Bearer ${tokens[below]}` } }));
      if (refused.status !== 403) open.push(`${endpoint.method} ${endpoint.path} as ${below}: ${refused.status}`);
    }
    expect(open).toEqual([]);
  });

  it("answer 404 to a token of another workspace for every endpoint naming one of this one's things", async () => {
    const { token } = await createApiToken({ prisma, workspaceId: outsider.workspaceId, userId: outsider.id, role: "owner" }, { name: "outsider" });
    const idFor: Record<string, string> = {
      pipelines: ids.pipeline,
      runs: ids.run,
      quarantine: ids.quarantined,
      lineage: ids.lineage,
      "alert-channels": ids.channel,
      "alert-rules": ids.rule,
      connections: ids.connection,
      members: ids.member,
      invitations: ids.invitation,
      tokens: ids.token,
      shares: ids.share,
    };
    const scoped = endpoints.filter((e) => e.role !== "public" && e.path.includes("/:"));
    const open: string[] = [];
    for (const endpoint of scoped) {
      const id = idFor[endpoint.path.split("/")[1]!];
      if (!id) {
        open.push(`${endpoint.method} ${endpoint.path}: no thing of this workspace to ask for; add one above`);
        continue;
      }
      const body = endpoint.method === "GET" || endpoint.method === "DELETE" ? undefined : JSON.stringify(VALID_BODIES[`${endpoint.method} ${endpoint.path}`] ?? {});
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const response = await handleApiRequest(new Request(`http://localhost:3000/api/v1${endpoint.path.replace(/:\w+/, id)}`, { method: endpoint.method, headers, body }));
      if (response.status !== 404) open.push(`${endpoint.method} ${endpoint.path}: ${response.status}`);
    }
    expect(open).toEqual([]);
  });
});

describe("pages anyone may open", () => {
  it("are only the listed ones", () => {
    const pages = ["/sign-in", "/setup", "/reset-password", "/invite", "/share", "/pipelines", "/dashboards", "/runs", "/quarantine", "/settings", "/lineage", "/alerts"];
    expect(pages.filter(isPublicPage)).toEqual(["/sign-in", "/setup", "/reset-password", "/invite", "/share"]);
    expect(isPublicPage("/share/anything")).toBe(true);
    expect(isPublicPage("/shares")).toBe(false);
  });

  it("the shared dashboard checks its own secret: ids, hashes and made-up secrets open nothing", async () => {
    const made = await createShare({ prisma, pool: getPool(), workspaceId: home, actor: "home editor" }, ids.pipeline, {});
    const secret = made.url.split("/share/")[1]!;
    expect((await viewShare({ prisma, pool: getPool() }, secret)).state).toBe("active");
    const hash = (await prisma.dashboardShare.findUniqueOrThrow({ where: { id: made.id } })).tokenHash;
    for (const attempt of [made.id, ids.share, ids.controlRoomShare, ids.pipeline, hash, "home-share-hash", "home-control-room-hash", "A".repeat(43), `${secret}x`, secret.slice(1)])
      expect((await viewShare({ prisma, pool: getPool() }, attempt)).state, attempt).toBe("unknown");
  });
});

describe("route handler files under src/app/api", () => {
  it("answer anonymous callers with 401, except the listed ones that check for themselves", async () => {
    const root = path.resolve(import.meta.dirname, "../../app/api");
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith("route.ts")).map((f) => path.dirname(f)).sort();
    const open: string[] = [];
    for (const dir of files) {
      if (SELF_CHECKING_ROUTES.includes(dir)) continue;
      const handlers = (await import(path.join(root, dir, "route.ts"))) as Record<string, unknown>;
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        const handler = handlers[method];
        if (typeof handler !== "function") continue;
        const response = (await handler(new Request(`http://localhost:3000/api/${dir}`, { method, body: method === "GET" ? undefined : "x" }))) as Response;
        if (response.status !== 401) open.push(`${method} /api/${dir}: ${response.status}`);
      }
    }
    expect(files.filter((f) => SELF_CHECKING_ROUTES.includes(f)).sort()).toEqual([...SELF_CHECKING_ROUTES].sort());
    expect(open).toEqual([]);
  });
});
