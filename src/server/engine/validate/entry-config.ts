import type { Column } from "@/nodes/contract";
import type { TRule, TValidateConfig } from "@/nodes/validate/config";

/** What a node without rules of its own (a source) checks its remembered fixes against, besides the types. */
export const NO_RULES: TValidateConfig = { rules: [], unknownFields: "keep" };

/**
 * The rules a record coming back into a node (re-ingested, or loaded again with a
 * remembered fix) is checked against: the node's own, plus a type check for every field
 * arriving as text whose type the upstream fixed (the fused streaming path checks those
 * types too).
 */
export function entryConfig(own: TValidateConfig, incoming: Column[]): TValidateConfig {
  const rules = new Map<string, TRule>(own.rules.map((r) => [r.field, r]));
  for (const column of incoming) {
    const rule = rules.get(column.name);
    if (column.type === "string" || rule?.type) continue;
    rules.set(column.name, { ...(rule ?? { field: column.name }), type: column.type });
  }
  return { ...own, rules: [...rules.values()] };
}
