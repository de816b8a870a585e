import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/generated/prisma/client";
import { closeDatabaseClients, getPrisma } from "../../db/client";
import { testContext } from "../../testing/callers";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { appRouter } from "../root";

let db: TestDatabase;
let prisma: PrismaClient;
let workspaceId: string;

const viewer = () => appRouter.createCaller(testContext({ prisma, workspaceId, role: "viewer" }));

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  prisma = getPrisma();
  workspaceId = (await prisma.workspace.create({ data: { name: "Triggers preview" } })).id;
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await closeDatabaseClients();
  await db.drop();
});

describe("the schedule preview the editor shows while typing", () => {
  it("gives a viewer the words and the next five times, an hour later on the night Oslo skips 02:30", async () => {
    // Only the clock is faked: the preview counts from "now", and this now is two days before the spring change.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-27T12:00:00Z") });
    const preview = await viewer().triggers.previewSchedule({ cron: "30 2 * * *", timezone: "Europe/Oslo" });
    expect(preview).toMatchObject({ ok: true, cron: "30 2 * * *", timezone: "Europe/Oslo", description: "At 02:30, Europe/Oslo" });
    expect(preview.ok && preview.next.map((d) => d.toISOString())).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 02:30 does not exist: 03:00 CEST, the first minute after the jump
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
      "2026-03-31T00:30:00.000Z",
      "2026-04-01T00:30:00.000Z",
    ]);
  });

  it("answers an invalid expression or timezone with the reason and the field, instead of failing the query", async () => {
    expect(await viewer().triggers.previewSchedule({ cron: "61 * * * *", timezone: "Europe/Oslo" })).toEqual({
      ok: false,
      field: "cron",
      error: expect.stringMatching(/"61 \* \* \* \*" is not a valid cron expression.*61/),
    });
    expect(await viewer().triggers.previewSchedule({ cron: "0 * * * *", timezone: "Europe/Olso" })).toEqual({
      ok: false,
      field: "timezone",
      error: expect.stringMatching(/"Europe\/Olso" is not a timezone/),
    });
  });

  it("is refused to someone who is not signed in", async () => {
    const anonymous = appRouter.createCaller(testContext({ prisma, workspaceId, role: null }));
    await expect(anonymous.triggers.previewSchedule({ cron: "0 * * * *", timezone: "UTC" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
