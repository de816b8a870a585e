import { z } from "zod";
import {
  defineNode,
  LINEAGE_COLUMN,
  RESERVED_COLUMN_PREFIX,
  type Column,
  type TColumnType,
} from "../contract";
import { ident, identifierProblem, join, raw, sql, type Sql } from "../sql";

const ZOutputName = z.string().superRefine((name, ctx) => {
  const problem = identifierProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `not a usable column name: ${problem}` });
  else if (name.startsWith(RESERVED_COLUMN_PREFIX))
    ctx.addIssue({ code: "custom", message: `column names starting with ${RESERVED_COLUMN_PREFIX} are reserved` });
});

export const AGGREGATE_FUNCTIONS = ["count", "sum", "avg", "min", "max"] as const;

export const ZAggregateConfig = z.object({
  groupBy: z
    .array(z.string())
    .default([])
    .meta({
      title: "Group by",
      description: "One output row per distinct combination of these columns. Empty: one row for the whole input.",
      widget: "columns",
    }),
  aggregates: z
    .array(
      z.object({
        fn: z.enum(AGGREGATE_FUNCTIONS).meta({ title: "Function" }),
        column: z
          .string()
          .optional()
          .meta({ title: "Column", description: "Required, except for count (leave out to count rows).", widget: "column" }),
        as: ZOutputName.meta({ title: "Output name" }),
      }),
    )
    .min(1, "add at least one aggregate")
    .meta({ title: "Aggregates", description: "The computed columns, after the group-by columns." }),
});
export type TAggregateConfig = z.infer<typeof ZAggregateConfig>;
type TAggregate = TAggregateConfig["aggregates"][number];

const NUMERIC: readonly TColumnType[] = ["integer", "number"];
const ORDERED: readonly TColumnType[] = ["string", "integer", "number", "date", "timestamp"];
const INTEGER_MIN = "-9223372036854775808";
const INTEGER_MAX = "9223372036854775807";

/** The output type of one aggregate, or why the input column cannot be aggregated that way. */
function aggregateType(fn: TAggregate["fn"], column: Column | undefined): { type: TColumnType } | { problem: string } {
  if (fn === "count") return { type: "integer" };
  if (!column) return { problem: `${fn} needs a column` };
  if (fn === "sum" || fn === "avg") {
    if (!NUMERIC.includes(column.type))
      return { problem: `${fn} needs an integer or number column, but "${column.name}" is ${column.type}` };
    return { type: fn === "sum" ? column.type : "number" };
  }
  if (!ORDERED.includes(column.type))
    return {
      problem: `${fn} works on string, integer, number, date and timestamp columns, but "${column.name}" is ${column.type}`,
    };
  return { type: column.type };
}

/**
 * The md5 (hex) of a group's key values: the last part of an aggregated row's lineage id,
 * `agg:<runId>:<nodeId>:<digest>`. Computed over `jsonb_build_array(keys…)::text` (jsonb's
 * text form is canonical; timestamps in UTC so the session time zone cannot change it),
 * so lineage lookups can apply the same expression to input rows to find a group's members.
 */
export function groupKeyDigest(keys: { value: Sql; type: TColumnType }[]): Sql {
  const values = keys.map((k) => (k.type === "timestamp" ? sql`(${k.value} AT TIME ZONE 'UTC')` : k.value));
  return sql`md5(jsonb_build_array(${join(values)})::text)`;
}

export function aggregateLineagePrefix(runId: string, nodeId: string): string {
  return `agg:${runId}:${nodeId}:`;
}

export default defineNode({
  type: "transform.aggregate",
  version: 1,
  ui: {
    title: "Aggregate",
    category: "transform",
    icon: "sigma",
    description:
      "Groups rows with equal values in the group-by columns and computes one row per group: the group-by " +
      "columns, then each aggregate. Without group-by columns the whole input is one group, and the output has " +
      "exactly one row, even when the input is empty.\n\n" +
      "NULL is a group-by value like any other: all rows with NULL in a group-by column (and equal other values) " +
      "form one group.\n\n" +
      "Functions: count without a column counts rows; count with a column counts rows where it is not NULL " +
      "(integer). sum adds integer or number values; the sum of integers is an integer, and a sum beyond ±9.2 " +
      "quintillion (the integer range) fails the run with a message: cast the column to number first. avg is " +
      "the mean, always a number. min and max give the smallest and largest string, integer, number, date or " +
      "timestamp value (strings in the database's collation order). sum, avg, min and max skip NULLs; when a " +
      "group has no value at all they give NULL (sum too, not 0).\n\n" +
      "Lineage: each output row's lineage id is agg:<run>:<node>:<md5 of its group-by values>, which leads back " +
      "to the rows of its group.",
  },
  inputs: [{ name: "in", label: "Rows" }],
  outputs: [{ name: "out", label: "Rows" }],
  config: ZAggregateConfig,
  outputSchema: ({ config, inputs, report }) => {
    const input = inputs.in;
    if (!input) return [];
    const available = input.map((c) => c.name).join(", ");
    const output: Column[] = [];
    const taken = new Set<string>();
    config.groupBy.forEach((name, i) => {
      const column = input.find((c) => c.name === name);
      if (!column) report({ path: ["groupBy", i], message: `the input has no column "${name}" (it has: ${available})` });
      else if (taken.has(name)) report({ path: ["groupBy", i], message: `"${name}" is listed twice` });
      else {
        taken.add(name);
        output.push(column);
      }
    });
    config.aggregates.forEach((aggregate, i) => {
      const problem = (field: string, message: string) => report({ path: ["aggregates", i, field], message });
      const column = input.find((c) => c.name === aggregate.column);
      if (aggregate.column !== undefined && !column) {
        problem("column", `the input has no column "${aggregate.column}" (it has: ${available})`);
        return;
      }
      const result = aggregateType(aggregate.fn, column);
      if ("problem" in result) {
        problem("column", result.problem);
        return;
      }
      if (taken.has(aggregate.as)) {
        problem("as", `the output already has a column "${aggregate.as}"; choose another name`);
        return;
      }
      taken.add(aggregate.as);
      output.push({ name: aggregate.as, type: result.type });
    });
    return output;
  },
  execution: {
    kind: "sql",
    rowwise: false,
    compile: ({ config, inputs, runId, nodeId }) => {
      const input = inputs.in;
      if (!input) throw new Error("transform.aggregate compiled without its input");
      const src = "src";
      const keys = config.groupBy.map((name) => {
        const column = input.columns.find((c) => c.name === name);
        if (!column) throw new Error(`transform.aggregate compiled with an unknown group-by column "${name}"`);
        return { name, value: sql`${ident(src, name)}`, type: column.type };
      });
      const aggregates = config.aggregates.map((aggregate) => {
        const column = input.columns.find((c) => c.name === aggregate.column);
        return sql`${aggregateExpression(aggregate, column, src)} AS ${ident(aggregate.as)}`;
      });
      const lineage = sql`${aggregateLineagePrefix(runId, nodeId)}::text || ${groupKeyDigest(keys)} AS ${ident(LINEAGE_COLUMN)}`;
      const list = [...keys.map((k) => sql`${k.value} AS ${ident(k.name)}`), ...aggregates, lineage];
      const groupBy = keys.length > 0 ? sql` GROUP BY ${join(keys.map((k) => k.value))}` : sql``;
      return sql`SELECT ${join(list)} FROM ${input.relation} AS ${ident(src)}${groupBy}`;
    },
  },
  example: {
    groupBy: ["station"],
    aggregates: [
      { fn: "count", as: "readings" },
      { fn: "avg", column: "pm25", as: "pm25_mean" },
    ],
  },
});

function aggregateExpression(aggregate: TAggregate, column: Column | undefined, relation: string): Sql {
  if (aggregate.fn === "count") return column ? sql`count(${ident(relation, column.name)})` : sql`count(*)`;
  if (!column) throw new Error(`transform.aggregate compiled ${aggregate.fn} without a column`);
  const value = ident(relation, column.name);
  switch (aggregate.fn) {
    case "avg":
      return column.type === "integer" ? sql`avg(${value})::double precision` : sql`avg(${value})`;
    case "min":
      return sql`min(${value})`;
    case "max":
      return sql`max(${value})`;
    case "sum": {
      if (column.type !== "integer") return sql`sum(${value})`;
      // sum(bigint) is numeric. Casting an out-of-range sum back would fail with a bare "bigint out of
      // range"; casting this message instead puts the column name into the error. It depends on the sum,
      // so the planner cannot fold it into a constant and raise it for every group.
      const message =
        `the sum of "${column.name}" does not fit in an integer (${INTEGER_MIN} to ${INTEGER_MAX}); ` +
        `cast the column to number before aggregating. The sum was `;
      const sum = sql`sum(${value})`;
      return sql`CASE WHEN ${sum} NOT BETWEEN ${raw(INTEGER_MIN)} AND ${raw(INTEGER_MAX)}
        THEN (${message}::text || ${sum}::text)::bigint ELSE ${sum}::bigint END`;
    }
  }
}
