import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { closeDatabaseClients, getPrisma } from "../../db/client";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { testContext } from "../../testing/callers";
import { appRouter } from "../root";

let db: TestDatabase;
let prisma: PrismaClient;
let workspaceId: string;
let otherWorkspaceId: string;
const ids = { air: "", water: "", other: "" };
/** Run ids by name, to read the expectations as a story. */
const run: Record<string, string> = {};

function caller(workspace = workspaceId) {
  return appRouter.createCaller(testContext({ prisma, workspaceId: workspace }));
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 10, minute));
const BIG = 9_007_199_254_740_993n; // 2^53 + 1: a Number would lose the last digit.

async function seedPipeline(workspace: string, name: string) {
  const pipeline = await prisma.pipeline.create({ data: { workspaceId: workspace, name, latestVersion: 1 } });
  const version = await prisma.pipelineVersion.create({
    data: {
      workspaceId: workspace,
      pipelineId: pipeline.id,
      number: 1,
      graph: { format: 1, name, nodes: [{ id: "src", type: "source.csv", config: {}, position: { x: 0, y: 0 } }], edges: [] },
    },
  });
  return { pipelineId: pipeline.id, versionId: version.id };
}

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  prisma = getPrisma();
  workspaceId = (await prisma.workspace.create({ data: { name: "Runs test" } })).id;
  otherWorkspaceId = (await prisma.workspace.create({ data: { name: "Someone else" } })).id;
  const air = await seedPipeline(workspaceId, "Air quality");
  const water = await seedPipeline(workspaceId, "Water levels");
  const other = await seedPipeline(otherWorkspaceId, "Not yours");
  ids.air = air.pipelineId;
  ids.water = water.pipelineId;
  ids.other = other.pipelineId;

  const seeds = [
    { name: "air1", p: air, minute: 0, status: "succeeded" },
    { name: "water1", p: water, minute: 5, status: "failed" },
    { name: "air2", p: air, minute: 10, status: "succeeded" },
    { name: "air3", p: air, minute: 20, status: "running" },
    { name: "water2", p: water, minute: 30, status: "queued" },
    { name: "foreign", p: other, minute: 40, status: "succeeded" },
  ] as const;
  for (const s of seeds) {
    const created = await prisma.run.create({
      data: {
        workspaceId: s.p === other ? otherWorkspaceId : workspaceId,
        pipelineId: s.p.pipelineId,
        versionId: s.p.versionId,
        status: s.status,
        createdAt: at(s.minute),
        startedAt: s.status === "queued" ? null : at(s.minute),
        finishedAt: s.status === "succeeded" || s.status === "failed" ? at(s.minute + 1) : null,
        error: s.status === "failed" ? "destination table is locked" : null,
      },
    });
    run[s.name] = created.id;
  }
  // Two runs created in the same millisecond: the id breaks the tie, so pages never skip or repeat one.
  for (const name of ["tieA", "tieB"]) {
    run[name] = (await prisma.run.create({ data: { workspaceId, pipelineId: air.pipelineId, versionId: air.versionId, createdAt: at(15) } })).id;
  }

  await prisma.nodeRun.createMany({
    data: [
      { workspaceId, runId: run.air2!, nodeId: "src", nodeType: "source.csv", status: "succeeded", rowsOut: BIG, startedAt: at(10), finishedAt: at(11) },
      { workspaceId, runId: run.air2!, nodeId: "val", nodeType: "validate", status: "succeeded", rowsIn: BIG, rowsOut: BIG - 3n, rowsRejected: 3n },
      {
        workspaceId,
        runId: run.air2!,
        nodeId: "dest",
        nodeType: "destination.postgres",
        status: "succeeded",
        rowsIn: BIG - 3n,
        rowsOut: BIG - 3n,
        checksum: "abc123",
        logs: [{ at: at(11).toISOString(), level: "info", message: "upserted" }],
        startedAt: at(12),
        finishedAt: at(13),
      },
      { workspaceId, runId: run.water1!, nodeId: "dest", nodeType: "destination.postgres", status: "failed", error: "destination table is locked" },
    ],
  });
});

afterAll(async () => {
  await closeDatabaseClients();
  await db.drop();
});

describe("runs.list", () => {
  it("lists this workspace's runs newest first, ties broken by id", async () => {
    const { runs, nextCursor } = await caller().runs.list({});
    const ties = [run.tieA!, run.tieB!].sort().reverse();
    expect(runs.map((r) => r.id)).toEqual([run.water2, run.air3, ...ties, run.air2, run.water1, run.air1]);
    expect(nextCursor).toBeUndefined();
    expect(runs.find((r) => r.id === run.water1)).toMatchObject({
      pipelineName: "Water levels",
      version: 1,
      status: "failed",
      trigger: "manual",
      error: "destination table is locked",
    });
  });

  it("sums rows as BigInt without losing precision: loaded at destinations, rejected anywhere", async () => {
    const { runs } = await caller().runs.list({});
    const air2 = runs.find((r) => r.id === run.air2);
    expect(air2?.rowsLoaded).toBe(BIG - 3n);
    expect(air2?.rowsRejected).toBe(3n);
    expect(runs.find((r) => r.id === run.air1)?.rowsLoaded).toBe(0n);
  });

  it("filters by pipeline, status and a created-at range [from, to)", async () => {
    const byPipeline = await caller().runs.list({ pipelineId: ids.water });
    expect(byPipeline.runs.map((r) => r.id)).toEqual([run.water2, run.water1]);

    const byStatus = await caller().runs.list({ status: "succeeded" });
    expect(byStatus.runs.map((r) => r.id)).toEqual([run.air2, run.air1]);

    const byRange = await caller().runs.list({ from: at(5), to: at(20) });
    expect(byRange.runs.map((r) => r.id)).toEqual([...[run.tieA!, run.tieB!].sort().reverse(), run.air2, run.water1]);

    const combined = await caller().runs.list({ pipelineId: ids.air, status: "running", from: at(0) });
    expect(combined.runs.map((r) => r.id)).toEqual([run.air3]);
  });

  it("pages with a cursor through every run exactly once", async () => {
    const all = (await caller().runs.list({})).runs.map((r) => r.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await caller().runs.list({ limit: 2, cursor });
      expect(page.runs.length).toBeLessThanOrEqual(2);
      seen.push(...page.runs.map((r) => r.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
  });

  it("pages within a filter", async () => {
    const first = await caller().runs.list({ pipelineId: ids.air, limit: 3 });
    expect(first.nextCursor).toBe(first.runs.at(-1)?.id);
    const second = await caller().runs.list({ pipelineId: ids.air, limit: 3, cursor: first.nextCursor });
    expect([...first.runs, ...second.runs].every((r) => r.pipelineId === ids.air)).toBe(true);
    expect(first.runs.length + second.runs.length).toBe(5);
    expect(second.nextCursor).toBeUndefined();
  });

  it("never shows another workspace's runs", async () => {
    const { runs } = await caller().runs.list({ pipelineId: ids.other });
    expect(runs).toEqual([]);
    const theirs = await caller(otherWorkspaceId).runs.list({});
    expect(theirs.runs.map((r) => r.id)).toEqual([run.foreign]);
  });

  it("rejects a reversed date range and a malformed cursor with a clear message", async () => {
    await expect(caller().runs.list({ from: at(20), to: at(5) })).rejects.toThrow(/start of the date range must be before its end/);
    await expect(caller().runs.list({ cursor: "not-a-run" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("runs.get", () => {
  it("returns the run with its pinned graph and node runs in start order, counts as BigInt", async () => {
    const detail = await caller().runs.get({ id: run.air2! });
    expect(detail).toMatchObject({ id: run.air2, pipelineId: ids.air, pipelineName: "Air quality", version: 1, status: "succeeded" });
    expect(detail.graph).toMatchObject({ format: 1, nodes: [{ id: "src" }] });
    expect(detail.nodes.map((n) => n.nodeId)).toEqual(["src", "dest", "val"]);
    const dest = detail.nodes.find((n) => n.nodeId === "dest");
    expect(dest).toMatchObject({ rowsIn: BIG - 3n, rowsOut: BIG - 3n, checksum: "abc123", logs: [{ level: "info", message: "upserted" }] });
    expect(typeof dest?.rowsOut).toBe("bigint");
  });

  it("answers NOT_FOUND for a run that does not exist or belongs to another workspace", async () => {
    for (const id of [run.foreign!, "00000000-0000-4000-8000-000000000000"]) {
      const error = await caller()
        .runs.get({ id })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCError);
      expect(error).toMatchObject({ code: "NOT_FOUND", message: `Run ${id} does not exist` });
    }
  });
});
