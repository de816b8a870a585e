import type { Metadata } from "next";
import { Suspense } from "react";
import { AlertsView } from "@/components/alerts/alerts-view";
import { PageBody, PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/skeleton";

export const metadata: Metadata = { title: "Alerts" };

export default function AlertsPage() {
  return (
    <PageBody>
      <PageHeader
        title="Alerts"
        description="Where alerts go, what is worth one, and what was sent. Each incident sends one message when it opens and one when it clears."
      />
      {/* The pipeline filter is in the query string, known only at request time. */}
      <Suspense fallback={<TableSkeleton label="Loading alerts" />}>
        <AlertsView />
      </Suspense>
    </PageBody>
  );
}
