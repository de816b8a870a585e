import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineNode, LINEAGE_COLUMN, type Column } from "@/nodes/contract";
import { ident, join, sql } from "@/nodes/sql";
import { runNodeFixture, table } from "./node-fixture";

/** Passes every input column through; `tag` is added as a literal to prove values reach SQL as data. */
function passThrough(options: { rowwise: boolean; claim?: (columns: Column[]) => Column[] }) {
  return defineNode({
    type: "test.pass-through",
    version: 1,
    ui: { title: "Pass through", category: "transform", icon: "swap", description: "Test node." },
    inputs: [{ name: "in", label: "In" }],
    outputs: [{ name: "out", label: "Out" }],
    config: z.object({ tag: z.string().optional(), forbid: z.string().optional() }),
    outputSchema: ({ config, inputs, report }) => {
      const columns = inputs.in ?? [];
      const forbidden = columns.findIndex((c) => c.name === config.forbid);
      if (forbidden >= 0) report({ path: ["forbid"], message: `Column ${config.forbid} is forbidden` });
      const out = config.tag === undefined ? columns : [...columns, { name: "tag", type: "string" as const }];
      return options.claim ? options.claim(out) : out;
    },
    execution: {
      kind: "sql",
      rowwise: options.rowwise,
      compile: ({ config, inputs }) => {
        const input = inputs.in;
        if (!input) throw new Error("no input");
        const columns = input.columns.map((c) => ident(c.name));
        const tag = config.tag === undefined ? [] : [sql`${config.tag}::text AS tag`];
        return sql`SELECT ${join([...columns, ...tag, ident(LINEAGE_COLUMN)])} FROM ${input.relation} AS src`;
      },
    },
    example: {},
  });
}

const everyType = table(
  {
    s: "string",
    i: "integer",
    n: "number",
    b: "boolean",
    d: "date",
    t: "timestamp",
    j: "json",
  },
  [
    ["x", 9007199254740993n, 1.5, true, "2024-02-29", "2024-01-31T12:00:00+02:00", { a: [1, null] }],
    { s: "y", i: -1 },
  ],
);

describe("runNodeFixture", () => {
  for (const rowwise of [true, false]) {
    it(`round-trips every column type (${rowwise ? "as a view" : "as a table"})`, async () => {
      const result = await runNodeFixture(passThrough({ rowwise }), {}, { in: everyType });
      expect(result.problems).toEqual([]);
      expect(result.columns.map((c) => c.name)).toEqual(["s", "i", "n", "b", "d", "t", "j"]);
      expect(result.rows).toEqual([
        ["x", 9007199254740993n, 1.5, true, "2024-02-29", "2024-01-31T10:00:00.000Z", { a: [1, null] }],
        ["y", -1, null, null, null, null, null],
      ]);
      expect(result.lineage).toEqual(["Lin:0", "Lin:1"]);
      expect(result.records[1]).toEqual({ s: "y", i: -1, n: null, b: null, d: null, t: null, j: null });
    });
  }

  it("presents timestamps in UTC whatever the session time zone", async () => {
    const input = table({ t: "timestamp" }, [["2024-01-31T12:00:00+02:00"]]);
    const result = await runNodeFixture(passThrough({ rowwise: false }), {}, { in: input }, { timeZone: "America/Lima" });
    expect(result.rows).toEqual([["2024-01-31T10:00:00.000Z"]]);
  });

  it("sorts output by every column, NULLs last, then lineage", async () => {
    const input = table({ k: "integer" }, [[2], [null], [1], [2]], ["a", "b", "c", "d"]);
    const result = await runNodeFixture(passThrough({ rowwise: true }), {}, { in: input });
    expect(result.rows).toEqual([[1], [2], [2], [null]]);
    expect(result.lineage).toEqual(["c", "a", "d", "b"]);
  });

  it("keeps hostile values as data, in views (literal SQL) and tables (parameters)", async () => {
    const hostile = "'; DROP TABLE fixture_input_in; --";
    const input = table({ 'a "quoted" name': "string", select: "string" }, [[hostile, "\\'"]]);
    for (const rowwise of [true, false]) {
      const result = await runNodeFixture(passThrough({ rowwise }), { tag: hostile }, { in: input });
      expect(result.records).toEqual([{ 'a "quoted" name': hostile, select: "\\'", tag: hostile }]);
    }
  });

  it("returns zod issues as problems without running", async () => {
    const result = await runNodeFixture(passThrough({ rowwise: true }), { tag: 5 }, { in: everyType });
    expect(result.problems).toEqual([{ path: ["tag"], message: expect.stringContaining("string") }]);
    expect(result.rows).toEqual([]);
  });

  it("returns reported problems without running", async () => {
    const result = await runNodeFixture(passThrough({ rowwise: true }), { forbid: "s" }, { in: everyType });
    expect(result.problems).toEqual([{ path: ["forbid"], message: "Column s is forbidden" }]);
  });

  it("fails when the SQL's columns differ from outputSchema", async () => {
    const liar = passThrough({ rowwise: false, claim: (cols) => cols.map((c) => ({ ...c, type: "number" })) });
    await expect(runNodeFixture(liar, {}, { in: table({ x: "integer" }, [[1]]) })).rejects.toThrow(
      "test.pass-through's SQL produced (x bigint, _sluice_lineage_id text) but outputSchema promises (x double precision, _sluice_lineage_id text)",
    );
  });

  it("names the input when a value does not fit its column type", async () => {
    await expect(
      runNodeFixture(passThrough({ rowwise: true }), {}, { in: table({ x: "integer" }, [["ten"]]) }),
    ).rejects.toThrow('Could not load fixture input "in": invalid input syntax for type bigint: "ten"');
  });

  it("rejects fixture rows that do not match their columns", () => {
    expect(() => table({ x: "integer" }, [{ y: 1 }])).toThrow('Fixture row 0 has a value for unknown column "y"');
  });
});
