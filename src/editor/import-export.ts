/**
 * Reading a pipeline JSON file the user imports: every problem that would stop it from
 * being saved is listed, each with where it is, so the file can be fixed.
 */
import { checkGraph, type GraphProblem } from "@/nodes/graph";
import { ZPipelineGraph, type TPipelineGraph, type TPipelineGraphInput } from "@/nodes/pipeline";
import type { Registry } from "@/nodes/registry";

/** Problems an imported file may still have: inputs left unconnected or files not uploaded here. */
const ACCEPTABLE = new Set<GraphProblem["code"]>(["missing-input", "columns"]);

export type ImportResult = { ok: true; graph: TPipelineGraph } | { ok: false; errors: string[] };

export function parseImportedPipeline(text: string, registry: Registry): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`The file is not JSON: ${(error as Error).message}`] };
  }
  const envelope = ZPipelineGraph.safeParse(json);
  if (!envelope.success) {
    return {
      ok: false,
      errors: envelope.error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "The file"}: ${issue.message}`),
    };
  }
  const checked = checkGraph(envelope.data, { registry, upload: () => undefined });
  const blocking = checked.problems.filter((p) => !ACCEPTABLE.has(p.code));
  if (blocking.length > 0) return { ok: false, errors: blocking.map((p) => p.message) };
  return { ok: true, graph: envelope.data };
}

export function exportFileName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${slug || "pipeline"}.pipeline.json`;
}

/** Starts a browser download of the pipeline JSON. */
export function downloadPipeline(graph: TPipelineGraphInput): void {
  const blob = new Blob([`${JSON.stringify(graph, null, 2)}\n`], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = exportFileName(graph.name);
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
