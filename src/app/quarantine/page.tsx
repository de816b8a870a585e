import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { Suspense } from "react";
import { PageBody, PageHeader } from "@/components/page-header";
import { parseQuarantineFilters, QUARANTINE_PAGE_SIZE, quarantineFiltersToInput } from "@/components/quarantine/filters";
import { QuarantineReview } from "@/components/quarantine/quarantine-review";
import { TableSkeleton } from "@/components/skeleton";
import { getQueryClient, trpcServer } from "@/trpc/server";

export const metadata: Metadata = { title: "Quarantine" };

type TSearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function QuarantinePage({ searchParams }: { searchParams: TSearchParams }) {
  // The first page of records comes with the HTML: with a million records in quarantine,
  // waiting for the browser to start, hydrate and then ask would take most of a second.
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, one);
  }
  const { filters } = parseQuarantineFilters(params);
  const queryClient = getQueryClient();
  await queryClient.prefetchInfiniteQuery(
    trpcServer.quarantine.list.infiniteQueryOptions(
      { filter: quarantineFiltersToInput(filters), order: filters.order ?? "asc", limit: QUARANTINE_PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor ?? null },
    ),
  );
  return (
    <PageBody wide>
      <PageHeader
        title="Quarantine"
        description="Records a validate node rejected, each with every rule it broke. Fix them in place or in bulk, then re-ingest them; filters stay in the address, so a view can be shared or exported."
      />
      {/* The review screen reads its filters from the query string, which is only known at request time. */}
      <HydrationBoundary state={dehydrate(queryClient)}>
        <Suspense fallback={<TableSkeleton label="Loading quarantined records" />}>
          <QuarantineReview />
        </Suspense>
      </HydrationBoundary>
    </PageBody>
  );
}
