import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { PipelineDashboardPage } from "@/components/dashboards/pipeline-dashboard-page";
import { DashboardSurface } from "@/components/dashboards/surface";
import { TableSkeleton } from "@/components/skeleton";

export const metadata: Metadata = { title: "Pipeline dashboard" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function PipelineDashboardRoute({ params }: { params: Promise<{ pipelineId: string }> }) {
  const { pipelineId } = await params;
  if (!UUID.test(pipelineId)) notFound();
  return (
    <DashboardSurface>
      {/* The range lives in the query string, known only at request time. */}
      <Suspense fallback={<TableSkeleton label="Loading the dashboard" />}>
        <PipelineDashboardPage pipelineId={pipelineId.toLowerCase()} />
      </Suspense>
    </DashboardSurface>
  );
}
