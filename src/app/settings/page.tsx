import type { Metadata } from "next";
import { PageBody, PageHeader } from "@/components/page-header";
import { currentCaller } from "@/server/auth/next";
import { ApiTokens } from "./api-tokens";
import { AuditLog } from "./audit-log";
import { Connections } from "./connections";
import { Members } from "./members";
import { RetentionSetting } from "./retention";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const caller = await currentCaller();
  if (caller?.role !== "owner") {
    return (
      <PageBody>
        <PageHeader title="Settings" description="Members, API tokens, connections, data retention and the audit log of this workspace." />
        <p className="max-w-3xl rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4 text-sm text-slate-700 dark:text-slate-300">
          You are {caller?.role ? `a ${caller.role}` : "not a member"} in this workspace. Only owners manage members, API tokens and settings: ask one of
          them for what you need.
        </p>
      </PageBody>
    );
  }
  return (
    <PageBody>
      <PageHeader title="Settings" description="Who belongs to this workspace, how scripts and other systems reach Sluice, how long runs are kept, and who did what." />
      <section aria-labelledby="members-heading" className="mb-10 space-y-4">
        <div>
          <h2 id="members-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            Members
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-300">
            Viewers read pipelines, runs, quarantine and lineage; editors also build, save, run, fix, re-ingest and discard; owners also manage
            members, API tokens and settings. Invite people with a link.
          </p>
        </div>
        <Members />
      </section>
      <section aria-labelledby="api-tokens-heading" className="space-y-4">
        <div>
          <h2 id="api-tokens-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            API tokens
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-300">
            A token lets a script use the REST API as you, with the role you give it (at most yours): upload files, save pipelines, start runs and fix quarantined records. Send it as{" "}
            <code className="rounded bg-slate-100 dark:bg-slate-800 px-1 py-0.5 font-mono text-xs">Authorization: Bearer &lt;token&gt;</code>. The endpoints are described
            in{" "}
            <a href="/api/v1/openapi.json" className="font-medium text-sky-700 dark:text-sky-300 underline-offset-2 hover:underline">
              openapi.json
            </a>
            .
          </p>
        </div>
        <ApiTokens />
      </section>
      <section aria-labelledby="connections-heading" className="mt-10 space-y-4">
        <div>
          <h2 id="connections-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            Connections
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-300">
            The servers Sluice reaches with this workspace&apos;s credentials: the SMTP server email alerts and invitations go through. Passwords are
            stored sealed and never shown again; Test connects and signs in as a send would.
          </p>
        </div>
        <Connections />
      </section>
      <section aria-labelledby="retention-heading" className="mt-10 space-y-4">
        <div>
          <h2 id="retention-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            Data retention
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-300">
            Runs older than this are deleted every night, with what they kept: each node&apos;s output, the run&apos;s quarantined
            records and the lineage that traces rows back through them. Rows already loaded into destination tables stay.
          </p>
        </div>
        <RetentionSetting />
      </section>
      <section aria-labelledby="audit-heading" className="mt-10 space-y-4">
        <div>
          <h2 id="audit-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            Audit log
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-300">
            Who did what in this workspace, newest first, with the sign-ins and failed sign-ins of its members. Export CSV downloads every event the
            filters match.
          </p>
        </div>
        <AuditLog />
      </section>
    </PageBody>
  );
}
