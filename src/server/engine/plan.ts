import type { Column, NodeDefinition } from "@/nodes/contract";
import type { CheckedGraph } from "@/nodes/graph";
import { ident, sql, type Sql } from "@/nodes/sql";

/** graphile-worker's default; a node's `retry.attempts` overrides it. */
export const DEFAULT_ATTEMPTS = 3;

export interface PlannedNode {
  id: string;
  definition: NodeDefinition;
  config: unknown;
  /** Upstream node id per input port. */
  inputs: Record<string, string>;
  /** Downstream node ids. */
  consumers: string[];
  output: Column[];
  attempts: number;
  /**
   * On a source whose execution `fusesValidate` (CSV) and whose only consumer is a validate node: that node. Its per-field
   * rules then run while the file streams through Node, the fastest path measured
   * (PERFORMANCE.md); the validate job only applies set rules (unique, references).
   */
  fusedValidate?: string;
  /** On such a validate node: the source that already checked its per-field rules. */
  fusedInto?: string;
}

export type ExecutionPlan = Map<string, PlannedNode>;

export class PlanError extends Error {}

/** Turns a problem-free checked graph into what the jobs execute. */
export function buildPlan(checked: CheckedGraph): ExecutionPlan {
  if (checked.problems.length > 0) throw new PlanError(checked.problems.map((p) => p.message).join("; "));
  const plan: ExecutionPlan = new Map();
  for (const n of checked.nodes) {
    if (n.output === undefined || n.config === undefined) throw new PlanError(`${n.node.id}: its columns could not be computed`);
    plan.set(n.node.id, {
      id: n.node.id,
      definition: n.definition,
      config: n.config,
      inputs: n.inputs,
      consumers: [],
      output: n.output,
      attempts: n.node.retry?.attempts ?? DEFAULT_ATTEMPTS,
    });
  }
  for (const node of plan.values()) {
    for (const upstream of Object.values(node.inputs)) plan.get(upstream)?.consumers.push(node.id);
  }
  for (const node of plan.values()) {
    const execution = node.definition.execution;
    if (execution.kind !== "source" || !execution.fusesValidate || node.consumers.length !== 1) continue;
    const consumer = plan.get(node.consumers[0]!);
    if (consumer?.definition.execution.kind === "validate") {
      node.fusedValidate = consumer.id;
      consumer.fusedInto = node.id;
    }
  }
  return plan;
}

/** Every run's intermediate relations live in a schema of their own: dropping it forgets the run's data. */
export function runSchemaName(runId: string): string {
  return `sluice_run_${runId.replaceAll("-", "")}`;
}

/** The table or view holding a node's output in a run. */
export function nodeRelation(runId: string, nodeId: string): Sql {
  return sql`${ident(runSchemaName(runId), nodeId)}`;
}

/**
 * Where a source that cannot be read again keeps its raw records for lineage in a run
 * (see TSourceStaging.keepsRecords). `#` never occurs in a node id, so it cannot be a node's relation.
 */
export function keptRecordsRelation(runId: string, nodeId: string): Sql {
  return sql`${ident(runSchemaName(runId), `${nodeId}#records`)}`;
}
