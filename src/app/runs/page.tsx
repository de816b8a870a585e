import type { Metadata } from "next";
import { Suspense } from "react";
import { PageBody, PageHeader } from "@/components/page-header";
import { RunList } from "@/components/runs/run-list";
import { TableSkeleton } from "@/components/skeleton";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <PageBody wide>
      <PageHeader title="Runs" description="Every execution of a pipeline version, newest first. Filters stay in the address, so a filtered view can be bookmarked or shared." />
      {/* The list reads its filters from the query string, which is only known at request time. */}
      <Suspense fallback={<TableSkeleton label="Loading runs" />}>
        <RunList />
      </Suspense>
    </PageBody>
  );
}
