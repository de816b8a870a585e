import { defineNode, type Column } from "../contract";
import { effectiveType, ruleTypeProblems, ZValidateConfig } from "./config";

export default defineNode({
  type: "validate",
  version: 1,
  ui: {
    title: "Validate",
    category: "validate",
    icon: "check",
    description:
      "Checks every record against rules per field: type, required, minimum and maximum, length, pattern, allowed " +
      "values, unique within the run, and existence in another table. Records that pass flow on; every record that " +
      "breaks a rule goes to quarantine with all of its violations, where it can be fixed and re-ingested. An empty " +
      "field counts as missing. Text values must be written exactly: \" 12\" (with a space) is not an integer, " +
      "dates are YYYY-MM-DD, timestamps YYYY-MM-DD HH:MM[:SS[.ffffff]] with an optional Z or ±HH:MM offset (UTC without one).",
  },
  inputs: [{ name: "in", label: "Records" }],
  outputs: [{ name: "out", label: "Valid records" }],
  config: ZValidateConfig,
  outputSchema: ({ config, inputs, report }) => {
    const input = inputs.in ?? [];
    const incoming = new Map(input.map((c) => [c.name, c.type]));
    config.rules.forEach((rule, index) => {
      const type = incoming.get(rule.field);
      if (type === undefined) {
        const names = input.map((c) => c.name).join(", ");
        report({
          path: ["rules", index, "field"],
          message: `the input has no field "${rule.field}"${names ? ` (it has: ${names})` : ""}`,
        });
      } else if (!rule.type) {
        // Rules with their own type were checked by the config schema already.
        for (const problem of ruleTypeProblems(rule, type)) {
          report({ path: ["rules", index, ...problem.path], message: problem.message });
        }
      }
    });
    const ruled = new Map(config.rules.map((rule) => [rule.field, rule]));
    return input.flatMap((column): Column[] => {
      const rule = ruled.get(column.name);
      if (!rule) return config.unknownFields === "keep" ? [column] : [];
      return [{ name: column.name, type: effectiveType(rule, column.type) }];
    });
  },
  execution: { kind: "validate" },
  tables: (config) =>
    config.rules.flatMap((rule, i) =>
      rule.references
        ? [{ schema: rule.references.schema, table: rule.references.table, access: "read" as const, path: ["rules", i, "references", "table"] }]
        : [],
    ),
  example: {
    rules: [
      { field: "station", type: "string", required: true, pattern: "[A-Z]{2}[0-9]{3}" },
      { field: "aqi", type: "integer", required: true, min: 0, max: 500 },
      { field: "measured_at", type: "timestamp", required: true },
      { field: "category", oneOf: ["good", "moderate", "unhealthy"] },
    ],
    unknownFields: "keep",
  },
});
