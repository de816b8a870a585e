import type { Metadata } from "next";
import { Suspense } from "react";
import { PageBody, PageHeader } from "@/components/page-header";
import { QuarantineReview } from "@/components/quarantine/quarantine-review";
import { TableSkeleton } from "@/components/skeleton";

export const metadata: Metadata = { title: "Quarantine" };

export default function QuarantinePage() {
  return (
    <PageBody wide>
      <PageHeader
        title="Quarantine"
        description="Records a validate node rejected, each with every rule it broke. Fix them in place or in bulk, then re-ingest them; filters stay in the address, so a view can be shared or exported."
      />
      {/* The review screen reads its filters from the query string, which is only known at request time. */}
      <Suspense fallback={<TableSkeleton label="Loading quarantined records" />}>
        <QuarantineReview />
      </Suspense>
    </PageBody>
  );
}
