import { z } from "zod";
import { defineNode, RESERVED_COLUMN_PREFIX } from "../contract";
import { identifierProblem } from "../sql";

const ZIdentifier = z.string().superRefine((name, ctx) => {
  const problem = identifierProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `not a usable name: ${problem}` });
  else if (name.startsWith(RESERVED_COLUMN_PREFIX)) ctx.addIssue({ code: "custom", message: `names starting with ${RESERVED_COLUMN_PREFIX} are reserved` });
});

const ZPostgresDestinationConfig = z
  .object({
    table: ZIdentifier.meta({ title: "Table", description: "Created from the incoming columns if it does not exist.", widget: "table" }),
    schema: ZIdentifier.default("public").meta({ title: "Schema", description: "Created if it does not exist." }),
    mode: z
      .enum(["append", "upsert", "replace"])
      .default("upsert")
      .meta({
        title: "Write mode",
        description:
          "append adds every row on every run; upsert inserts or updates rows by key (a rerun changes nothing); replace empties the table and loads the run's rows, in one transaction.",
      }),
    key: z
      .array(ZIdentifier)
      .default([])
      .meta({
        title: "Key columns",
        description:
          "Identify a row. Required for upsert; with replace, a repeated key keeps its last row; append ignores it. Every key column needs a value in every row.",
        widget: "columns",
      }),
  })
  .superRefine((config, ctx) => {
    if (config.mode === "upsert" && config.key.length === 0)
      ctx.addIssue({ code: "custom", path: ["key"], message: "upsert needs at least one key column" });
  });

export default defineNode({
  type: "destination.postgres",
  version: 1,
  ui: {
    title: "PostgreSQL table",
    category: "destination",
    icon: "database",
    description:
      "Loads rows into a PostgreSQL table, creating it (and its schema) from the incoming columns when missing, with " +
      "a primary key on the key columns. An existing table gains incoming columns it lacks; older rows read empty there. " +
      "Every row keeps _sluice_lineage_id (the exact source record it came from) and _sluice_run_id. Upsert uses the " +
      "key columns: a key repeated within one run keeps its last row in source order, and a row whose values are already " +
      "in the table is not rewritten, so it keeps the lineage and run id of the run that last changed it and a rerun of " +
      "the same input leaves the table unchanged. An empty key fails the node: quarantine such rows with a validate node " +
      "first. The load is one transaction: a failure leaves the table as it was.",
  },
  inputs: [{ name: "in", label: "Rows" }],
  outputs: [],
  config: ZPostgresDestinationConfig,
  outputSchema: ({ config, inputs, report }) => {
    const columns = inputs.in ?? [];
    const names = new Set(columns.map((c) => c.name));
    config.key.forEach((key, i) => {
      if (columns.length > 0 && !names.has(key)) report({ path: ["key", i], message: `the incoming rows have no column "${key}"` });
    });
    return [];
  },
  execution: { kind: "destination" },
  capabilities: { loadsTable: true },
  tables: (config) => [{ schema: config.schema, table: config.table, access: "write", path: ["table"] }],
  example: { table: "air_quality", mode: "upsert", key: ["station", "measured_at"] },
});
