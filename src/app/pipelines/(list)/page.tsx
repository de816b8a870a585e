import type { Metadata } from "next";
import { PageBody, PageHeader } from "@/components/page-header";
import { RoleGate } from "@/components/caller-context";
import { ImportPipeline } from "@/components/pipelines/import-pipeline";
import { NewPipelineButton } from "@/components/pipelines/new-pipeline-dialog";
import { PipelineList } from "@/components/pipelines/pipeline-list";

export const metadata: Metadata = { title: "Pipelines" };

export default function PipelinesPage() {
  return (
    <PageBody>
      <PageHeader
        title="Pipelines"
        description="Each pipeline moves records from a source to PostgreSQL, checking them on the way. Every save is a new version; runs pin the version they ran."
        actions={
          <>
            <RoleGate role="editor">
              <ImportPipeline />
            </RoleGate>
            <NewPipelineButton />
          </>
        }
      />
      <PipelineList />
    </PageBody>
  );
}
