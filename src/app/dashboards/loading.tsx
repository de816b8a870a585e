import { PageBody } from "@/components/page-header";
import { HeaderSkeleton, Skeleton } from "@/components/skeleton";

export default function Loading() {
  return (
    <PageBody>
      <HeaderSkeleton />
      <Skeleton className="mx-auto h-80 max-w-2xl" />
    </PageBody>
  );
}
