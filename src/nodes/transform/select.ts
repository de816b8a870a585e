import { z } from "zod";
import { defineNode, LINEAGE_COLUMN, RESERVED_COLUMN_PREFIX, type Column } from "../contract";
import { ident, identifierProblem, join, sql } from "../sql";

const ZOutputName = z.string().superRefine((name, ctx) => {
  const problem = identifierProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `not a usable column name: ${problem}` });
  else if (name.startsWith(RESERVED_COLUMN_PREFIX))
    ctx.addIssue({ code: "custom", message: `column names starting with ${RESERVED_COLUMN_PREFIX} are reserved` });
});

export const ZSelectConfig = z.object({
  columns: z
    .array(
      z.object({
        from: z.string().meta({ title: "Column", description: "An input column.", widget: "column" }),
        to: ZOutputName.optional().meta({
          title: "Rename to",
          description: "The column's name in the output. Leave out to keep the input name.",
        }),
      }),
    )
    .min(1, "choose at least one column")
    .meta({ title: "Columns", description: "The output columns, in output order." }),
});
export type TSelectConfig = z.infer<typeof ZSelectConfig>;

export default defineNode({
  type: "transform.select",
  version: 1,
  ui: {
    title: "Select columns",
    category: "transform",
    icon: "columns",
    description:
      "Keeps the listed columns, in the listed order, and drops every other column. Each entry names an input " +
      "column and, optionally, a new name for it. A column may be listed twice under different names. Values, " +
      "types, NULLs and the number of rows are unchanged, and every row keeps its lineage.",
  },
  inputs: [{ name: "in", label: "Rows" }],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZSelectConfig,
  outputSchema: ({ config, inputs, report }) => {
    const input = inputs.in;
    if (!input) return [];
    const output: Column[] = [];
    const producedBy = new Map<string, number>();
    config.columns.forEach((entry, i) => {
      const column = input.find((c) => c.name === entry.from);
      if (!column) {
        const available = input.map((c) => c.name).join(", ");
        report({ path: ["columns", i, "from"], message: `the input has no column "${entry.from}" (it has: ${available})` });
        return;
      }
      const name = entry.to ?? entry.from;
      const earlier = producedBy.get(name);
      if (earlier !== undefined) {
        report({
          path: ["columns", i, entry.to === undefined ? "from" : "to"],
          message: `the output already has a column "${name}" (from entry ${earlier + 1}); give this one another name`,
        });
        return;
      }
      producedBy.set(name, i);
      output.push({ name, type: column.type });
    });
    return output;
  },
  execution: {
    kind: "sql",
    rowwise: true,
    passThrough: true,
    compile: ({ config, inputs }) => {
      const input = inputs.in;
      if (!input) throw new Error("transform.select compiled without its input");
      const list = config.columns.map((entry) => sql`${ident(entry.from)} AS ${ident(entry.to ?? entry.from)}`);
      return sql`SELECT ${join([...list, ident(LINEAGE_COLUMN)])} FROM ${input.relation} AS ${ident("selected")}`;
    },
  },
  example: { columns: [{ from: "station" }, { from: "pm25", to: "pm2_5" }] },
});
