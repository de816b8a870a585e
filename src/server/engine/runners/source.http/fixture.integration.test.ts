import { afterEach, describe, expect, it } from "vitest";
import httpSource from "@/nodes/sources/http";
import { startApiServer } from "../../../testing/api-server";
import { runSourceFixture } from "../../testing/runner-fixture";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("source.http", () => {
  it("stages the records of every page, numbered through the run, quarantining what a column cannot hold", async () => {
    const pages = [
      [{ id: 1, city: { name: "Oslo" }, score: 1.5 }, { id: "two", city: { name: "Bergen" } }],
      [[3], { id: 4, city: null, score: 2, ignored: true }],
      [],
    ];
    const server = await startApiServer((request) => ({ json: { results: pages[Number(request.url.searchParams.get("page")) - 1] ?? [] } }));
    servers.push(server);
    const result = await runSourceFixture(httpSource, {
      url: `${server.url}/items`,
      records: "results",
      pagination: { type: "page", param: "page", start: 1 },
      columns: { id: "integer", "city.name": "string", score: "number" },
    });
    expect(result.error).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
    // In the order the saved config holds them (jsonb orders keys by length).
    expect(result.columns).toEqual(["id", "score", "city.name"]);
    expect(result.records).toEqual([
      { id: "1", "city.name": "Oslo", score: "1.5" },
      { id: "4", "city.name": null, score: "2" },
    ]);
    expect(result.ordinals).toEqual([0, 3]);
    expect(result.quarantine.map((q) => [q.ordinal, q.errors.map((e) => [e.field, e.rule])])).toEqual([
      [1, [["id", "type"]]],
      [2, [["_raw", "record"]]],
    ]);
    expect(result.quarantine[1]?.record).toEqual({ _raw: "[3]" });
  });

  it("fails with what to do when no columns are set", async () => {
    const server = await startApiServer(() => ({ json: [{ id: 1 }] }));
    servers.push(server);
    const result = await runSourceFixture(httpSource, { url: server.url });
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/has no columns yet: preview it/);
  });
});
