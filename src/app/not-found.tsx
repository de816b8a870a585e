import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { buttonStyles, PageBody } from "@/components/page-header";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <PageBody>
      <EmptyState
        title="This page does not exist"
        actions={
          <>
            <Link href="/pipelines" className={buttonStyles.primary}>
              Pipelines
            </Link>
            <Link href="/runs" className={buttonStyles.secondary}>
              Runs
            </Link>
          </>
        }
      >
        <p>The address may be mistyped, or what it pointed to was deleted or removed by the workspace&apos;s retention policy.</p>
      </EmptyState>
    </PageBody>
  );
}
