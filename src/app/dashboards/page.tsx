import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { DashboardIcon } from "@/components/icons";
import { buttonStyles, PageBody, PageHeader } from "@/components/page-header";

export const metadata: Metadata = { title: "Dashboards" };

const PLANNED = [
  "Runs over time per pipeline, with success and failure rates",
  "Rows loaded and rejected per run, and the validation rules that reject most",
  "Duration trends per node, to spot the step that is getting slower",
  "Open quarantine per pipeline, and how quickly records get fixed and re-ingested",
];

export default function DashboardsPage() {
  return (
    <PageBody>
      <PageHeader title="Dashboards" description="Shared, read-only views of how your pipelines are doing." />
      <EmptyState
        icon={<DashboardIcon className="size-6" />}
        title="Dashboards are not available yet"
        actions={
          <Link href="/runs" className={buttonStyles.primary}>
            See runs
          </Link>
        }
      >
        <p>Shared run dashboards are planned: read-only pages you can send to people who need the numbers but not the editor. They will show:</p>
        <ul className="mx-auto mt-4 max-w-md list-disc space-y-1.5 pl-5 text-left">
          {PLANNED.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
        <p className="mt-4">Meanwhile, the Runs page lists every run with its status, duration and rows loaded and rejected, and each run opens to its node timeline.</p>
      </EmptyState>
    </PageBody>
  );
}
