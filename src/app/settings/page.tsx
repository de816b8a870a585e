import type { Metadata } from "next";
import { PageBody, PageHeader } from "@/components/page-header";
import { ApiTokens } from "./api-tokens";
import { RetentionSetting } from "./retention";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <PageBody>
      <PageHeader title="Settings" description="How scripts and other systems reach Sluice, and how long runs are kept." />
      <section aria-labelledby="api-tokens-heading" className="space-y-4">
        <div>
          <h2 id="api-tokens-heading" className="text-lg font-semibold text-slate-900">
            API tokens
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">
            A token lets a script use the REST API: upload files, save pipelines, start runs and fix quarantined records. Send it as{" "}
            <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs">Authorization: Bearer &lt;token&gt;</code>. The endpoints are described
            in{" "}
            <a href="/api/v1/openapi.json" className="font-medium text-sky-700 underline-offset-2 hover:underline">
              openapi.json
            </a>
            .
          </p>
        </div>
        <ApiTokens />
      </section>
      <section aria-labelledby="retention-heading" className="mt-10 space-y-4">
        <div>
          <h2 id="retention-heading" className="text-lg font-semibold text-slate-900">
            Data retention
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">
            Runs older than this are deleted every night, with what they kept: each node&apos;s output, the run&apos;s quarantined
            records and the lineage that traces rows back through them. Rows already loaded into destination tables stay.
          </p>
        </div>
        <RetentionSetting />
      </section>
    </PageBody>
  );
}
