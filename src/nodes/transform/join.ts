import { z } from "zod";
import { defineNode, LINEAGE_COLUMN, type Column, type ConfigProblem, type TColumnType } from "../contract";
import { ident, identifierProblem, join, raw, sql } from "../sql";

export const ZJoinConfig = z.object({
  kind: z
    .enum(["inner", "left"])
    .default("inner")
    .meta({
      title: "Kind",
      description: "inner: only left rows that match. left: every left row, with empty right columns when nothing matches.",
    }),
  on: z
    .array(
      z.object({
        left: z.string().meta({ title: "Left column", widget: "column", port: "left" }),
        right: z.string().meta({ title: "Right column", widget: "column", port: "right" }),
      }),
    )
    .min(1, "choose at least one pair of columns to match on")
    .meta({ title: "Match on", description: "A left row and a right row match when every pair of columns is equal." }),
});
export type TJoinConfig = z.infer<typeof ZJoinConfig>;

/** Prefix given to a right column whose name the left input already uses. */
export const RIGHT_PREFIX = "right_";

interface JoinedColumn extends Column {
  side: "left" | "right";
  /** The column's name in its input. */
  source: string;
}

function joinedColumns(left: Column[], right: Column[], report: (problem: ConfigProblem) => void): JoinedColumn[] {
  const taken = new Set(left.map((c) => c.name));
  const joined: JoinedColumn[] = left.map((c) => ({ ...c, side: "left", source: c.name }));
  for (const column of right) {
    const name = taken.has(column.name) ? `${RIGHT_PREFIX}${column.name}` : column.name;
    const problem = identifierProblem(name);
    if (problem) {
      report({ path: [], message: `the right column "${column.name}" would be renamed to "${name}", but ${problem}` });
      continue;
    }
    if (taken.has(name)) {
      report({
        path: [],
        message:
          `the right column "${column.name}" would be named "${name}", which is already taken; ` +
          `rename one of them with a Select columns node before the join`,
      });
      continue;
    }
    taken.add(name);
    joined.push({ name, type: column.type, side: "right", source: column.name });
  }
  return joined;
}

const NUMERIC: readonly TColumnType[] = ["integer", "number"];

function comparable(a: TColumnType, b: TColumnType): boolean {
  return a === b || (NUMERIC.includes(a) && NUMERIC.includes(b));
}

export default defineNode({
  type: "transform.join",
  version: 1,
  ui: {
    title: "Join",
    category: "transform",
    icon: "join",
    description:
      "Combines each left row with every right row it matches: rows match when each chosen pair of columns holds " +
      "equal values. Integer and number columns can be matched with each other; other columns only with columns " +
      "of the same type.\n\n" +
      "Inner keeps only left rows that match at least once. Left keeps every left row; where nothing matches, the " +
      "right columns are empty (NULL). A left row that matches several right rows appears once per match.\n\n" +
      "NULL never matches anything, not even another NULL: a left row with NULL in a match column is dropped by " +
      "inner and kept with empty right columns by left.\n\n" +
      `Output columns: all left columns, then all right columns, in input order. A right column whose name the ` +
      `left input already has is renamed with the prefix "${RIGHT_PREFIX}" (e.g. id becomes ${RIGHT_PREFIX}id). ` +
      "Each output row keeps the lineage of its left row.",
  },
  inputs: [
    { name: "left", label: "Left" },
    { name: "right", label: "Right" },
  ],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZJoinConfig,
  outputSchema: ({ config, inputs, report }) => {
    const { left, right } = inputs;
    if (!left || !right) return [];
    config.on.forEach((pair, i) => {
      const l = left.find((c) => c.name === pair.left);
      const r = right.find((c) => c.name === pair.right);
      const names = (cols: Column[]) => cols.map((c) => c.name).join(", ");
      if (!l) report({ path: ["on", i, "left"], message: `the left input has no column "${pair.left}" (it has: ${names(left)})` });
      if (!r)
        report({ path: ["on", i, "right"], message: `the right input has no column "${pair.right}" (it has: ${names(right)})` });
      if (l && r && !comparable(l.type, r.type))
        report({
          path: ["on", i, "right"],
          message: `"${l.name}" is ${l.type} but "${r.name}" is ${r.type}; convert one of them with a cast before the join`,
        });
    });
    return joinedColumns(left, right, report).map(({ name, type }) => ({ name, type }));
  },
  execution: {
    kind: "sql",
    rowwise: false,
    compile: ({ config, inputs }) => {
      const { left, right } = inputs;
      if (!left || !right) throw new Error("transform.join compiled without both inputs");
      const columns = joinedColumns(left.columns, right.columns, (problem) => {
        throw new Error(`transform.join compiled with a config problem: ${problem.message}`);
      });
      const l = "l";
      const r = "r";
      const list = [
        ...columns.map((c) => sql`${ident(c.side === "left" ? l : r, c.source)} AS ${ident(c.name)}`),
        ident(l, LINEAGE_COLUMN),
      ];
      const on = config.on.map((pair) => sql`${ident(l, pair.left)} = ${ident(r, pair.right)}`);
      const kind = raw(config.kind === "left" ? "LEFT JOIN" : "INNER JOIN");
      return sql`SELECT ${join(list)} FROM ${left.relation} AS ${ident(l)} ${kind} ${right.relation} AS ${ident(r)}
        ON ${join(on, " AND ")}`;
    },
  },
  example: { kind: "left", on: [{ left: "station", right: "station_id" }] },
});
