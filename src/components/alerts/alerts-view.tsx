"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { buttonStyles } from "@/components/page-header";
import { useTRPC } from "@/trpc/react";
import { AlertChannels } from "./alert-channels";
import { AlertHistory } from "./alert-history";
import { AlertRules } from "./alert-rules";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Channels, rules and history; `?pipeline=<id>` narrows rules and history to what watches that pipeline. */
export function AlertsView() {
  const trpc = useTRPC();
  const requested = useSearchParams().get("pipeline");
  const pipelineId = requested && UUID.test(requested) ? requested : null;
  const pipelines = useQuery(trpc.pipelines.list.queryOptions());
  const pipelineName = pipelines.data?.find((p) => p.id === pipelineId)?.name;

  return (
    <div className="space-y-10">
      {pipelineId ? (
        <p className="flex flex-wrap items-center gap-2 rounded-lg border border-sky-200 dark:border-sky-800 bg-sky-50 dark:bg-sky-950/50 px-4 py-3 text-sm text-sky-900 dark:text-sky-200">
          <span className="min-w-0 [overflow-wrap:anywhere]">
            Showing the rules and alerts of <strong>{pipelineName ?? "one pipeline"}</strong>, with the rules that watch every pipeline.
          </span>
          <Link href="/alerts" className={buttonStyles.link}>
            Show all
          </Link>
        </p>
      ) : null}
      <section aria-labelledby="channels-heading" className="space-y-4">
        <div>
          <h2 id="channels-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            Channels
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-300">
            Where messages go. Every message names the pipeline, the rule and the figures that broke it, and links to the run and the failing node&apos;s log.
            Owners add and remove channels; editors can send a test.
          </p>
        </div>
        <AlertChannels />
      </section>
      <section aria-labelledby="rules-heading" className="space-y-4">
        <div>
          <h2 id="rules-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            Rules
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-300">What is worth a message, for one pipeline or all of them. Editors add, change, pause and remove rules.</p>
        </div>
        <AlertRules pipelineId={pipelineId} />
      </section>
      <section aria-labelledby="history-heading" className="space-y-4">
        <div>
          <h2 id="history-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            History
          </h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-300">
            Every message sent, newest first. A failed delivery is retried with backoff; after the last attempt it stays failed with the error.
          </p>
        </div>
        <AlertHistory pipelineId={pipelineId} />
      </section>
    </div>
  );
}
