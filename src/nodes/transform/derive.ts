import { z } from "zod";
import { defineNode, LINEAGE_COLUMN, RESERVED_COLUMN_PREFIX, type Column } from "../contract";
import {
  compileExpression,
  EXPRESSION_LANGUAGE_SUMMARY,
  formatExpressionErrors,
  MAX_EXPRESSION_LENGTH,
} from "../expression/expression";
import { ident, identifierProblem, join, sql } from "../sql";

export const ZDeriveConfig = z.object({
  column: z
    .string()
    .superRefine((name, ctx) => {
      const problem = identifierProblem(name);
      if (problem) ctx.addIssue({ code: "custom", message: `not a usable column name: ${problem}` });
      else if (name.startsWith(RESERVED_COLUMN_PREFIX)) {
        ctx.addIssue({ code: "custom", message: `column names starting with ${RESERVED_COLUMN_PREFIX} are reserved` });
      }
    })
    .meta({
      title: "Column",
      description: "The column to compute. An existing column of that name is replaced in place.",
    }),
  expression: z
    .string()
    .trim()
    .min(1, "write an expression, e.g. pm25 * 2")
    .max(MAX_EXPRESSION_LENGTH)
    .meta({ title: "Expression", description: "Computes the value for each row, e.g. round(pm25 * 1.8 + 32, 1).", widget: "expression" }),
});
export type TDeriveConfig = z.infer<typeof ZDeriveConfig>;

export default defineNode({
  type: "transform.derive",
  version: 1,
  ui: {
    title: "Derive column",
    category: "transform",
    icon: "function",
    description:
      "Computes a column from an expression over each row's values. A new column is added at the end; a column " +
      "that already exists is replaced where it stands (the expression still sees its old value). The column's " +
      "type follows from the expression: comparisons give true/false, integer arithmetic an integer, / and most " +
      "math functions a number, text functions text, CASE and COALESCE the common type of their alternatives. " +
      "Rows and lineage are unchanged. " +
      EXPRESSION_LANGUAGE_SUMMARY,
  },
  inputs: [{ name: "in", label: "Rows" }],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZDeriveConfig,
  outputSchema: ({ config, inputs, report }) => {
    const input = inputs.in;
    if (!input) return [];
    const compiled = compileExpression(config.expression, input);
    if (!compiled.ok) {
      for (const error of compiled.errors) report({ path: ["expression"], message: formatExpressionErrors([error]) });
      return [];
    }
    return withColumn(input, { name: config.column, type: compiled.type });
  },
  execution: {
    kind: "sql",
    rowwise: true,
    compile: ({ config, inputs }) => {
      const input = inputs.in;
      if (!input) throw new Error("transform.derive compiled without its input");
      const compiled = compileExpression(config.expression, input.columns);
      if (!compiled.ok) throw new Error(`transform.derive: ${formatExpressionErrors(compiled.errors)}`);
      const derived = { name: config.column, type: compiled.type };
      const list = withColumn(input.columns, derived).map((c) =>
        c === derived ? sql`${compiled.sql} AS ${ident(c.name)}` : sql`${ident(c.name)}`,
      );
      return sql`SELECT ${join([...list, ident(LINEAGE_COLUMN)])} FROM ${input.relation} AS ${ident("derived")}`;
    },
  },
  example: { column: "aqi_band", expression: "CASE WHEN aqi > 100 THEN 'unhealthy' ELSE 'ok' END" },
});

/** The input columns with `column` replacing the one of the same name, or appended. */
function withColumn(input: readonly Column[], column: Column): Column[] {
  const replaced = input.map((c) => (c.name === column.name ? column : c));
  return replaced.includes(column) ? replaced : [...replaced, column];
}
