import type { Metadata } from "next";
import { PageBody } from "@/components/page-header";
import { LineageView } from "@/components/quarantine/lineage-view";

export const metadata: Metadata = { title: "Record lineage" };

export default async function LineagePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <PageBody>
      <LineageView lineageId={decodeURIComponent(id)} />
    </PageBody>
  );
}
