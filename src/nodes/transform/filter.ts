import { z } from "zod";
import { defineNode, LINEAGE_COLUMN } from "../contract";
import {
  compileExpression,
  EXPRESSION_LANGUAGE_SUMMARY,
  formatExpressionErrors,
  MAX_EXPRESSION_LENGTH,
} from "../expression/expression";
import { describeType } from "../expression/typing";
import { ident, join, sql } from "../sql";

export const ZFilterConfig = z.object({
  expression: z
    .string()
    .trim()
    .min(1, "write a condition, e.g. aqi > 100")
    .max(MAX_EXPRESSION_LENGTH)
    .meta({
      title: "Condition",
      description: "Rows for which this is true are kept, e.g. aqi > 100 AND city <> 'Oslo'.",
      widget: "expression",
    }),
});
export type TFilterConfig = z.infer<typeof ZFilterConfig>;

export default defineNode({
  type: "transform.filter",
  version: 1,
  ui: {
    title: "Filter rows",
    category: "transform",
    icon: "filter",
    description:
      "Keeps the rows for which the condition is true. Rows where it is false or NULL (unknown, e.g. aqi > 100 " +
      "when aqi is empty) are dropped. Columns, their order and every kept row's lineage are unchanged. " +
      EXPRESSION_LANGUAGE_SUMMARY,
  },
  inputs: [{ name: "in", label: "Rows" }],
  outputs: [{ name: "out", label: "Kept rows" }],
  config: ZFilterConfig,
  outputSchema: ({ config, inputs, report }) => {
    const input = inputs.in;
    if (!input) return [];
    const compiled = compileExpression(config.expression, input);
    if (!compiled.ok) {
      for (const error of compiled.errors) report({ path: ["expression"], message: formatExpressionErrors([error]) });
    } else if (compiled.type !== "boolean") {
      report({
        path: ["expression"],
        message: `the condition must be true or false, but this gives ${describeType(compiled.type)}; compare it, e.g. ${config.expression} > 0`,
      });
    }
    return input;
  },
  execution: {
    kind: "sql",
    rowwise: true,
    compile: ({ config, inputs }) => {
      const input = inputs.in;
      if (!input) throw new Error("transform.filter compiled without its input");
      const compiled = compileExpression(config.expression, input.columns);
      if (!compiled.ok) throw new Error(`transform.filter: ${formatExpressionErrors(compiled.errors)}`);
      if (compiled.type !== "boolean") throw new Error(`transform.filter: the condition gives ${compiled.type}, not true/false`);
      const columns = [...input.columns.map((c) => ident(c.name)), ident(LINEAGE_COLUMN)];
      return sql`SELECT ${join(columns)} FROM ${input.relation} AS ${ident("filtered")} WHERE ${compiled.sql}`;
    },
  },
  example: { expression: "aqi > 100" },
});
