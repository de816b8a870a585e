import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { QuarantineIcon } from "@/components/icons";
import { buttonStyles, PageBody, PageHeader } from "@/components/page-header";

export const metadata: Metadata = { title: "Quarantine" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A first version of the quarantine section: it explains what will be here and keeps the
 * run page's "Quarantined records" link from landing on a 404 until the review screen exists.
 */
export default async function QuarantinePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { runId } = await searchParams;
  const run = typeof runId === "string" && UUID.test(runId) ? runId : undefined;
  return (
    <PageBody>
      <PageHeader
        title="Quarantine"
        description="Records a validate node rejected, each with every rule it broke, kept until they are fixed and re-ingested or discarded."
      />
      <EmptyState
        icon={<QuarantineIcon className="size-6" />}
        title="The quarantine review screen is not here yet"
        actions={
          run ? (
            <Link href={`/runs/${run}`} className={buttonStyles.primary}>
              Back to the run
            </Link>
          ) : (
            <Link href="/runs" className={buttonStyles.primary}>
              See runs
            </Link>
          )
        }
      >
        <p>
          Rejected records are already kept with their errors and lineage. Soon you will review them here{run ? " for this run" : ""}, fix
          values in place and re-ingest them with one click. Until then, each run&apos;s page shows how many records each node rejected.
        </p>
      </EmptyState>
    </PageBody>
  );
}
