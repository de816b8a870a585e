import { z } from "zod";
import { defineNode, LINEAGE_COLUMN, ZColumnType, type Column } from "../contract";
import { canConvert, convert } from "../expression/conversions";
import { unknownColumnMessage } from "../expression/suggest";
import { describeType } from "../expression/typing";
import { ident, join, sql } from "../sql";

export const ZCastConfig = z.object({
  casts: z
    .array(
      z.object({
        column: z.string().meta({ title: "Column", description: "The input column to convert.", widget: "column" }),
        to: ZColumnType.meta({ title: "New type" }),
      }),
    )
    .min(1, "choose at least one column to convert")
    .meta({ title: "Conversions", description: "Each listed column gets the new type; other columns are unchanged." }),
});
export type TCastConfig = z.infer<typeof ZCastConfig>;

export default defineNode({
  type: "transform.cast",
  version: 1,
  ui: {
    title: "Change column types",
    category: "transform",
    icon: "swap",
    description:
      "Converts columns to another type, keeping their names and places. Text is read in the same formats as CSV " +
      "values: integers like -12, numbers like 3.5 or 1e-3, booleans true/false, yes/no, t/f, y/n, 1/0 (any case), " +
      "dates YYYY-MM-DD, timestamps YYYY-MM-DD HH:MM[:SS[.ffffff]] with an optional Z or ±HH:MM offset (none " +
      "means UTC), and JSON. Surrounding spaces are not trimmed. Empty text becomes NULL and NULL stays NULL. " +
      "A value that is not valid for its new type stops the run with a message naming the column and the value " +
      "(nothing is dropped or silently set to NULL): clean such values first, or check them with a validate " +
      "node, which sends bad rows to quarantine instead. Other conversions: any type to text (dates as " +
      "YYYY-MM-DD, timestamps as ISO 8601 in UTC); integer ↔ number (a number must be whole to become an " +
      "integer); integer or number 1/0 to boolean and back; date → timestamp (midnight UTC) and timestamp → " +
      "date (the UTC day); anything to JSON, and JSON values to the type they hold. Dates, timestamps and " +
      "booleans cannot become numbers or each other otherwise.",
  },
  inputs: [{ name: "in", label: "Rows" }],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZCastConfig,
  outputSchema: ({ config, inputs, report }) => {
    const input = inputs.in;
    if (!input) return [];
    const targets = new Map<string, Column>();
    config.casts.forEach((cast, i) => {
      const column = input.find((c) => c.name === cast.column);
      if (!column) {
        report({ path: ["casts", i, "column"], message: unknownColumnMessage(cast.column, input.map((c) => c.name)) });
      } else if (targets.has(cast.column)) {
        report({ path: ["casts", i, "column"], message: `"${cast.column}" is listed twice; keep one conversion` });
      } else if (!canConvert(column.type, cast.to)) {
        report({
          path: ["casts", i, "to"],
          message: `"${cast.column}" is ${describeType(column.type)} and cannot become ${describeType(cast.to)}`,
        });
      } else {
        targets.set(cast.column, { name: cast.column, type: cast.to });
      }
    });
    return input.map((c) => targets.get(c.name) ?? c);
  },
  execution: {
    kind: "sql",
    rowwise: true,
    compile: ({ config, inputs }) => {
      const input = inputs.in;
      if (!input) throw new Error("transform.cast compiled without its input");
      const list = input.columns.map((column) => {
        const cast = config.casts.find((c) => c.column === column.name);
        if (!cast || cast.to === column.type) return sql`${ident(column.name)}`;
        return sql`${convert(sql`${ident(column.name)}`, column.type, cast.to, column.name)} AS ${ident(column.name)}`;
      });
      return sql`SELECT ${join([...list, ident(LINEAGE_COLUMN)])} FROM ${input.relation} AS ${ident("converted")}`;
    },
  },
  example: { casts: [{ column: "aqi", to: "integer" }] },
});
