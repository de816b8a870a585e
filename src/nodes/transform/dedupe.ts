import { z } from "zod";
import { defineNode, LINEAGE_COLUMN, type Column, type ConfigProblem } from "../contract";
import { ident, join, raw, sql } from "../sql";

export const ZDedupeConfig = z.object({
  key: z
    .array(z.string())
    .min(1, "choose at least one key column")
    .meta({
      title: "Key columns",
      description: "Rows with equal values in all of these columns are duplicates of each other.",
      widget: "columns",
    }),
  keep: z
    .enum(["first", "last"])
    .default("first")
    .meta({ title: "Keep", description: "Which row of each set of duplicates stays." }),
  orderBy: z
    .array(z.string())
    .default([])
    .meta({
      title: "Order by",
      description: "Decides which duplicate is first (smallest values) and which is last. Ties fall back to input order.",
      widget: "columns",
    }),
});
export type TDedupeConfig = z.infer<typeof ZDedupeConfig>;

export default defineNode({
  type: "transform.dedupe",
  version: 1,
  ui: {
    title: "Remove duplicates",
    category: "transform",
    icon: "copy",
    description:
      "Keeps one row per key: rows with equal values in every key column are duplicates, and only the first " +
      "(or last) of them stays; the others are dropped. Columns and the kept rows' values and lineage are " +
      "unchanged.\n\n" +
      "Which row is first: rows are ordered by the \"Order by\" columns, smallest first, and then by input " +
      "order, the order in which the source read its records (file line, position in the file). With \"Order " +
      "by\" empty, first means earliest in the input. A NULL in an order column never wins: such a row is kept " +
      "only when no duplicate has a value there. Rows made by an aggregate or from different sources have no " +
      "meaningful input order; among them the choice is arbitrary but the same on every run.\n\n" +
      "NULL counts as equal to NULL: rows whose key values are equal column by column, NULLs included, are " +
      "duplicates. So of all rows with a NULL key (and equal other key values) only one is kept; filter or " +
      "validate them first if each of them matters.",
  },
  inputs: [{ name: "in", label: "Rows" }],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZDedupeConfig,
  outputSchema: ({ config, inputs, report }) => {
    const input = inputs.in;
    if (!input) return [];
    checkColumns(input, config.key, "key", report);
    checkColumns(input, config.orderBy, "orderBy", report);
    return input;
  },
  execution: {
    kind: "sql",
    rowwise: false,
    compile: ({ config, inputs, output }) => {
      const input = inputs.in;
      if (!input) throw new Error("transform.dedupe compiled without its input");
      const keys = config.key.map((name) => ident(name));
      const lineage = ident(LINEAGE_COLUMN);
      const last = config.keep === "last";
      const orderBy = config.orderBy.map((name) => sql`${ident(name)} ${raw(last ? "DESC" : "ASC")} NULLS LAST`);
      // Input order without a stored ordinal: lineage ids of one source share a prefix and end in a
      // fixed-width hash, so shorter-then-bytewise order is the order of the line or index number in them.
      const direction = raw(last ? "DESC" : "ASC");
      const inputOrder = [sql`length(${lineage}) ${direction}`, sql`${lineage} COLLATE "C" ${direction}`];
      const list = [...output.map((c) => ident(c.name)), lineage];
      return sql`SELECT DISTINCT ON (${join(keys)}) ${join(list)} FROM ${input.relation} AS ${ident("deduped")}
        ORDER BY ${join([...keys, ...orderBy, ...inputOrder])}`;
    },
  },
  example: { key: ["station", "measured_at"], keep: "last" },
});

function checkColumns(
  input: Column[],
  names: string[],
  field: "key" | "orderBy",
  report: (problem: ConfigProblem) => void,
): void {
  const available = input.map((c) => c.name).join(", ");
  names.forEach((name, i) => {
    if (!input.some((c) => c.name === name))
      report({ path: [field, i], message: `the input has no column "${name}" (it has: ${available})` });
    else if (names.indexOf(name) < i) report({ path: [field, i], message: `"${name}" is listed twice` });
  });
}
