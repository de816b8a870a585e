import type { Edge, Node } from "@xyflow/react";
import type { TParamDeclaration } from "@/nodes/params";

/** What a canvas node carries: exactly the pipeline JSON node minus id and position. */
export interface PipelineNodeData extends Record<string, unknown> {
  nodeType: string;
  /** The node type version the config was written for (kept so old configs migrate on the server). */
  version?: number;
  label?: string;
  config: Record<string, unknown>;
  retry?: { attempts: number };
}

export type FlowNode = Node<PipelineNodeData, "pipeline">;
export type FlowEdge = Edge<Record<string, never>, "pipeline">;

/** The part of the editor state that undo/redo, copy/paste and drafts work on. */
export interface GraphSnapshot {
  name: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** The run parameters the pipeline declares; none when absent. */
  params?: TParamDeclaration[];
}
