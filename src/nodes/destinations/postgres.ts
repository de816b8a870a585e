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
    schema: ZIdentifier.default("public").meta({ title: "Schema" }),
    mode: z
      .enum(["append", "upsert", "replace"])
      .default("upsert")
      .meta({
        title: "Write mode",
        description:
          "append adds rows; upsert inserts or updates rows by key (reruns change nothing); replace empties the table and loads the run's rows.",
      }),
    key: z
      .array(ZIdentifier)
      .default([])
      .meta({ title: "Key columns", description: "Identify a row for upsert. Required for upsert.", widget: "columns" }),
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
    icon: "🐘",
    description:
      "Loads rows into a PostgreSQL table, creating it from the incoming columns when missing. Every row keeps " +
      "_sluice_lineage_id (the exact source record it came from) and _sluice_run_id. Upsert uses the key columns: " +
      "a key repeated within one run keeps the last row, and a rerun of the same input leaves the table unchanged.",
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
  example: { table: "air_quality", mode: "upsert", key: ["station", "measured_at"] },
});
