import { PageBody } from "@/components/page-header";
import { HeaderSkeleton, Skeleton, TableSkeleton } from "@/components/skeleton";

export default function Loading() {
  return (
    <PageBody wide>
      <HeaderSkeleton />
      <Skeleton className="mb-4 h-16 w-full" />
      <TableSkeleton label="Loading quarantined records" />
    </PageBody>
  );
}
