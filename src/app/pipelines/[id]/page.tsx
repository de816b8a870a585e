import type { Metadata } from "next";
import { PipelineEditor } from "@/editor/pipeline-editor";

export const metadata: Metadata = { title: "Pipeline editor" };

export default async function PipelinePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ version?: string | string[] }>;
}) {
  const { id } = await params;
  const { version } = await searchParams;
  const requested = typeof version === "string" ? version : undefined;
  // A link to another version is another editor: nothing of the one open carries over.
  return <PipelineEditor key={requested ?? "latest"} pipelineId={id} version={requested} />;
}
