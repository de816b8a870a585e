import { PageBody } from "@/components/page-header";
import { HeaderSkeleton, TableSkeleton } from "@/components/skeleton";

export default function Loading() {
  return (
    <PageBody>
      <HeaderSkeleton />
      <TableSkeleton label="Loading pipelines" />
    </PageBody>
  );
}
