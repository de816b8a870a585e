/**
 * The public pipeline JSON format (`format: 1`): what the editor saves, the API
 * accepts, and export/import round-trips. Node configs are checked per node type
 * by the registry (see graph.ts); here only the envelope is checked.
 */
import { z } from "zod";
import { ZParamDeclarations } from "./params";

export const NODE_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;

export const ZNodeId = z
  .string()
  .regex(NODE_ID_PATTERN, "a node id starts with a letter and has at most 48 letters, digits, '-' or '_'");

export const ZPipelineNode = z.object({
  id: ZNodeId,
  type: z.string().min(1),
  /** The node type version the config was written for; older configs are migrated on load. */
  version: z.number().int().positive().optional(),
  /** A display name; the node type's title when absent. */
  label: z.string().max(120).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  /** How often a failing node is attempted before the run fails (exponential backoff between). */
  retry: z.object({ attempts: z.number().int().min(1).max(25) }).optional(),
});
export type TPipelineNode = z.infer<typeof ZPipelineNode>;

export const ZPipelineEdge = z.object({
  from: ZNodeId,
  to: ZNodeId,
  fromPort: z.string().min(1).default("out"),
  toPort: z.string().min(1).default("in"),
});
export type TPipelineEdge = z.infer<typeof ZPipelineEdge>;

export const ZPipelineGraph = z.object({
  format: z.literal(1),
  name: z.string().trim().min(1, "a pipeline needs a name").max(200),
  nodes: z.array(ZPipelineNode).max(1000),
  edges: z.array(ZPipelineEdge).max(5000),
  /** The run parameters node settings may reference as `{{params.name}}` (see params.ts); none when absent. */
  params: ZParamDeclarations.optional(),
});
export type TPipelineGraph = z.infer<typeof ZPipelineGraph>;
export type TPipelineGraphInput = z.input<typeof ZPipelineGraph>;

/** `upload:<id>` references in source configs. */
export const UPLOAD_REF_PREFIX = "upload:";
export function uploadIdOf(ref: unknown): string | undefined {
  return typeof ref === "string" && ref.startsWith(UPLOAD_REF_PREFIX) ? ref.slice(UPLOAD_REF_PREFIX.length) : undefined;
}
