"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, type ReactNode } from "react";
import { ZPipelineGraph } from "@/nodes/pipeline";
import { useTRPC } from "@/trpc/react";
import { EmptyState } from "../empty-state";
import { ErrorState } from "../error-state";
import { durationMs, formatCount, formatDateTime, formatDuration } from "../format";
import { QuarantineIcon } from "../icons";
import { buttonStyles, PageBody } from "../page-header";
import { RelativeTime } from "../relative-time";
import { Skeleton } from "../skeleton";
import { isActiveStatus, StatusBadge } from "../status-badge";
import { errorCode, errorMessage } from "../trpc-error";
import { NodeRunTable } from "./node-run-table";
import { RunActions } from "./run-actions";
import { RunGraph } from "./run-graph";
import { RunTimeline } from "./run-timeline";
import { RunParams } from "./run-params";
import { TRIGGER_LABELS } from "./trigger";

/** While a run is queued or running its page follows it every second; once finished it stops asking. */
const POLL_MS = 1_000;

export function RunDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const run = useQuery(
    trpc.runs.get.queryOptions(
      { id },
      {
        refetchInterval: (query) => (query.state.data && isActiveStatus(query.state.data.status) ? POLL_MS : false),
        // A missing run stays missing: asking again only delays the answer.
        retry: (count, error) => errorCode(error) !== "NOT_FOUND" && count < 1,
      },
    ),
  );
  // Node labels live in the pinned graph; the run rows only know node ids.
  const labels = useMemo(() => {
    const parsed = ZPipelineGraph.safeParse(run.data?.graph);
    return new Map(parsed.success ? parsed.data.nodes.map((n) => [n.id, n.label ?? n.id]) : []);
  }, [run.data?.graph]);

  if (run.isPending) return <RunDetailSkeleton />;
  if (!run.data) {
    if (errorCode(run.error) === "NOT_FOUND") {
      return (
        <PageBody>
          <EmptyState
            title="Run not found"
            actions={
              <Link href="/runs" className={buttonStyles.primary}>
                All runs
              </Link>
            }
          >
            <p>No run has the id {id}. It may have been removed by the workspace&apos;s retention policy.</p>
          </EmptyState>
        </PageBody>
      );
    }
    return (
      <PageBody>
        <ErrorState title="The run could not be loaded" message={errorMessage(run.error)} onRetry={() => void run.refetch()} />
      </PageBody>
    );
  }

  const data = run.data;
  const now = new Date();
  const active = isActiveStatus(data.status);
  const rowsRejected = data.nodes.reduce((sum, n) => sum + n.rowsRejected, 0n);
  const rowsKnown = data.nodes.reduce((sum, n) => sum + n.rowsKnown, 0n);
  const rowsRemembered = data.nodes.reduce((sum, n) => sum + n.rowsRemembered, 0n);
  const timelineNodes = data.nodes.map((n) => ({ ...n, label: labels.get(n.nodeId) ?? n.nodeId }));

  return (
    <PageBody wide>
      <nav aria-label="Breadcrumb" className="mb-3 text-sm text-slate-500 dark:text-slate-400">
        <Link href="/runs" className={buttonStyles.link}>
          Runs
        </Link>{" "}
        / <span aria-current="page">{formatDateTime(data.createdAt)}</span>
      </nav>
      <header className="mb-6 flex flex-col gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">
            <Link href={`/pipelines/${data.pipelineId}`} className="underline-offset-4 hover:underline">
              {data.pipelineName}
            </Link>
          </h1>
          <Link
            href={`/pipelines/${data.pipelineId}?version=${data.version}`}
            className="rounded-full bg-slate-100 dark:bg-slate-800 px-2.5 py-0.5 text-sm font-medium text-slate-700 dark:text-slate-300 hover:bg-slate-200 dark:hover:bg-slate-700"
          >
            version {data.version}
          </Link>
          <StatusBadge status={data.status} className="text-sm" />
          {active ? (
            <span role="status" className="text-xs text-slate-500 dark:text-slate-400">
              Updating every second
            </span>
          ) : null}
          <div className="ml-auto">
            <RunActions runId={data.id} status={data.status} />
          </div>
        </div>
        <dl className="grid grid-cols-[repeat(auto-fit,minmax(7.5rem,1fr))] gap-x-4 gap-y-3 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4 text-sm shadow-sm">
          <Fact term="Trigger">{TRIGGER_LABELS[data.trigger]}</Fact>
          <Fact term="Created">
            <RelativeTime date={data.createdAt} now={now} />
          </Fact>
          <Fact term="Started">{data.startedAt ? formatDateTime(data.startedAt) : "Not yet"}</Fact>
          <Fact term="Finished">{data.finishedAt ? formatDateTime(data.finishedAt) : active ? "Still running" : "—"}</Fact>
          <Fact term="Duration">
            {formatDuration(durationMs(data.startedAt, data.finishedAt, now))}
            {active && data.startedAt ? " so far" : ""}
          </Fact>
          <Fact term="Rows loaded">{formatCount(data.rowsLoaded)}</Fact>
          <Fact term="Rows rejected">
            <span className={rowsRejected > 0n ? "text-rose-700 dark:text-rose-300" : undefined}>{formatCount(rowsRejected)}</span>
            {rowsKnown > 0n ? (
              <span className="block text-xs text-slate-500 dark:text-slate-400">
                {formatCount(rowsKnown)} already in quarantine, {formatCount(rowsRejected - rowsKnown)} new
              </span>
            ) : null}
          </Fact>
          {rowsRemembered > 0n ? <Fact term="Loaded with a remembered fix">{formatCount(rowsRemembered)}</Fact> : null}
        </dl>
        <RunParams params={data.params} />
        {data.error ? (
          <div role="alert" className="rounded-lg border border-rose-200 dark:border-rose-800 bg-rose-50 dark:bg-rose-950/50 px-4 py-3 text-sm text-rose-900 dark:text-rose-200">
            <p className="font-semibold">The run failed</p>
            <p className="mt-1 whitespace-pre-wrap break-words">{data.error}</p>
          </div>
        ) : null}
        <div className="flex flex-wrap gap-2 text-sm">
          <Link href={`/quarantine?runId=${data.id}`} className={buttonStyles.secondary}>
            <QuarantineIcon className={`size-4 ${rowsRejected > 0n ? "text-rose-600 dark:text-rose-400" : "text-slate-400"}`} />
            Quarantined records{rowsRejected > 0n ? ` (${formatCount(rowsRejected)})` : ""}
          </Link>
          {data.parentRunId ? (
            <Link href={`/runs/${data.parentRunId}`} className={buttonStyles.secondary}>
              Re-ingest of an earlier run: open the original run
            </Link>
          ) : null}
        </div>
      </header>

      <div className="grid gap-6">
        <Panel title="Graph" description={`Version ${data.version} as it ran; colours show each node's status.`}>
          <RunGraph graph={data.graph} nodes={data.nodes} title={`Graph of ${data.pipelineName} version ${data.version}`} />
        </Panel>
        <Panel title="Timeline" description="When each node ran, on the run's own clock.">
          <RunTimeline run={data} nodes={timelineNodes} now={now} />
        </Panel>
        <Panel title="Nodes">
          {data.nodes.length === 0 ? (
            <p className="px-4 py-6 text-sm text-slate-600 dark:text-slate-300">No node has been scheduled yet. Nodes appear here as the run starts them.</p>
          ) : (
            <NodeRunTable nodes={data.nodes} labels={labels} now={now} />
          )}
        </Panel>
      </div>
    </PageBody>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{term}</dt>
      <dd className="mt-0.5 tabular-nums text-slate-900 dark:text-slate-100">{children}</dd>
    </div>
  );
}

function Panel({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="overflow-hidden rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 shadow-sm">
      <header className="flex flex-wrap items-baseline gap-x-3 border-b border-slate-200 dark:border-slate-700 px-4 py-3">
        <h2 className="text-sm font-semibold text-slate-900 dark:text-slate-100">{title}</h2>
        {description ? <p className="text-xs text-slate-500 dark:text-slate-400">{description}</p> : null}
      </header>
      {children}
    </section>
  );
}

export function RunDetailSkeleton() {
  return (
    <PageBody wide>
      <div role="status" aria-label="Loading run">
        <Skeleton className="mb-3 h-4 w-48" />
        <Skeleton className="mb-4 h-8 w-80" />
        <Skeleton className="mb-6 h-16 w-full" />
        <Skeleton className="mb-6 h-96 w-full" />
        <Skeleton className="h-48 w-full" />
        <span className="sr-only">Loading run…</span>
      </div>
    </PageBody>
  );
}
