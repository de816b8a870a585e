import { describe, expect, it } from "vitest";
import { runNodeFixture, table } from "@/server/engine/testing/node-fixture";
import joinNode from "./join";

const readings = table({ station: "string", pm25: "number", code: "integer" }, [
  ["OSL", 12.5, 1],
  ["LIM", 40, 2],
  ["XXX", 7, 3],
  [null, 1, 4],
]);
const stations = table({ code: "string", city: "string", id: "number" }, [
  ["OSL", "Oslo", 1],
  ["LIM", "Lima", 2],
  ["LIM", "Lima (airport)", 2],
  [null, "Nowhere", 4],
]);

describe("transform.join", () => {
  it("inner: keeps matching left rows, once per match, with the left row's lineage", async () => {
    const result = await runNodeFixture(
      joinNode,
      { on: [{ left: "station", right: "code" }] },
      { left: readings, right: stations },
    );
    expect(result.columns).toEqual([
      { name: "station", type: "string" },
      { name: "pm25", type: "number" },
      { name: "code", type: "integer" },
      { name: "right_code", type: "string" },
      { name: "city", type: "string" },
      { name: "id", type: "number" },
    ]);
    expect(result.rows).toEqual([
      ["LIM", 40, 2, "LIM", "Lima", 2],
      ["LIM", 40, 2, "LIM", "Lima (airport)", 2],
      ["OSL", 12.5, 1, "OSL", "Oslo", 1],
    ]);
    expect(result.lineage).toEqual(["Lleft:1", "Lleft:1", "Lleft:0"]);
  });

  it("left: keeps every left row, NULL keys never match", async () => {
    const result = await runNodeFixture(
      joinNode,
      { kind: "left", on: [{ left: "station", right: "code" }] },
      { left: readings, right: stations },
    );
    expect(result.rows.map((r) => [r[0], r[4]])).toEqual([
      ["LIM", "Lima"],
      ["LIM", "Lima (airport)"],
      ["OSL", "Oslo"],
      ["XXX", null],
      [null, null],
    ]);
    expect(result.lineage.toSorted()).toEqual(["Lleft:0", "Lleft:1", "Lleft:1", "Lleft:2", "Lleft:3"]);
  });

  it("matches on several pairs, integer against number", async () => {
    const result = await runNodeFixture(
      joinNode,
      {
        on: [
          { left: "station", right: "code" },
          { left: "code", right: "id" },
        ],
      },
      { left: readings, right: stations },
    );
    expect(result.rows.map((r) => r[4])).toEqual(["Lima", "Lima (airport)", "Oslo"]);
  });

  it("handles hostile column names and values", async () => {
    const left = table({ 'k "1"': "string", from: "integer" }, [["'; DROP TABLE x; --", 1]]);
    const right = table({ "k 2": "string", from: "integer" }, [["'; DROP TABLE x; --", 2]]);
    const result = await runNodeFixture(
      joinNode,
      { on: [{ left: 'k "1"', right: "k 2" }] },
      { left, right },
    );
    expect(result.records).toEqual([
      { 'k "1"': "'; DROP TABLE x; --", from: 1, "k 2": "'; DROP TABLE x; --", right_from: 2 },
    ]);
  });

  it("reports unknown columns, incompatible types and name clashes", async () => {
    const left = table({ id: "integer", right_id: "string", when: "date" }, []);
    const right = table({ id: "integer", ts: "timestamp" }, []);
    const result = await runNodeFixture(
      joinNode,
      {
        on: [
          { left: "nope", right: "id" },
          { left: "id", right: "nada" },
          { left: "when", right: "ts" },
        ],
      },
      { left, right },
    );
    expect(result.problems).toEqual([
      { path: ["on", 0, "left"], message: 'the left input has no column "nope" (it has: id, right_id, when)' },
      { path: ["on", 1, "right"], message: 'the right input has no column "nada" (it has: id, ts)' },
      {
        path: ["on", 2, "right"],
        message: '"when" is date but "ts" is timestamp; convert one of them with a cast before the join',
      },
      {
        path: [],
        message:
          'the right column "id" would be named "right_id", which is already taken; rename one of them with a Select columns node before the join',
      },
    ]);
  });

  it("reports a renamed right column that would exceed PostgreSQL's name limit", async () => {
    const long = "x".repeat(60);
    const result = await runNodeFixture(
      joinNode,
      { on: [{ left: long, right: long }] },
      { left: table({ [long]: "string" }, []), right: table({ [long]: "string" }, []) },
    );
    expect(result.problems).toEqual([
      {
        path: [],
        message: `the right column "${long}" would be renamed to "right_${long}", but it is longer than 63 bytes, PostgreSQL's limit`,
      },
    ]);
  });

  it("needs at least one pair of columns", async () => {
    const result = await runNodeFixture(joinNode, { on: [] }, { left: readings, right: stations });
    expect(result.problems).toEqual([{ path: ["on"], message: "choose at least one pair of columns to match on" }]);
  });
});
