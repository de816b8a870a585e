"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/trpc/react";
import { EmptyState } from "../empty-state";
import { PipelineIcon } from "../icons";
import { ErrorState } from "../error-state";
import { RelativeTime } from "../relative-time";
import { TableSkeleton } from "../skeleton";
import { StatusBadge } from "../status-badge";
import { errorMessage } from "../trpc-error";
import { RoleGate } from "../caller-context";
import { PipelineRowMenu } from "./pipeline-actions";
import { NewPipelineButton } from "./new-pipeline-dialog";
import { SamplePipelineButton } from "./sample-pipeline-button";

const FIRST_STEPS = [
  "Create a pipeline and give it a name.",
  "Drag a CSV source onto the canvas and upload your file.",
  "Connect a Validate node to say what a good record looks like, then a PostgreSQL destination.",
  "Press Run: good rows land in your table, the rest wait in Quarantine for a fix.",
];

export function PipelineList() {
  const trpc = useTRPC();
  const pipelines = useQuery(trpc.pipelines.list.queryOptions());

  if (pipelines.isPending) return <TableSkeleton label="Loading pipelines" />;
  if (pipelines.isError) {
    return <ErrorState title="The pipelines could not be loaded" message={errorMessage(pipelines.error)} onRetry={() => void pipelines.refetch()} />;
  }
  if (pipelines.data.length === 0) {
    return (
      <EmptyState icon={<PipelineIcon className="size-6" />} title="No pipelines yet" actions={
          <>
            <NewPipelineButton label="Create your first pipeline" />
            <SamplePipelineButton />
          </>
        }
      >
        <p>A pipeline moves records from a file or API into PostgreSQL, checking every record on the way. To build your first:</p>
        <ol className="mx-auto mt-4 max-w-md list-decimal space-y-1.5 pl-5 text-left">
          {FIRST_STEPS.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
        <p className="mt-4">
          Or try the sample: ten days of weather readings from five stations, five of them broken, validated and loaded into a
          new table, so you see a run, its quarantine and lineage in a minute. Already have a pipeline file? Use “Import JSON” above.
        </p>
      </EmptyState>
    );
  }

  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 shadow-sm">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Pipelines, most recently updated first</caption>
        <thead className="border-b border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-950 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-4 py-3">
              Name
            </th>
            <th scope="col" className="px-4 py-3">
              Version
            </th>
            <th scope="col" className="px-4 py-3">
              Last run
            </th>
            <th scope="col" className="px-4 py-3">
              Updated
            </th>
            <th scope="col" className="w-12 px-2 py-3">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {pipelines.data.map((pipeline) => (
            <tr key={pipeline.id} className="hover:bg-slate-50 dark:hover:bg-slate-800">
              <td className="max-w-md px-4 py-3 break-words">
                <Link href={`/pipelines/${pipeline.id}`} className="font-medium text-sky-800 dark:text-sky-200 underline-offset-2 hover:underline">
                  {pipeline.name}
                </Link>
              </td>
              <td className="px-4 py-3 tabular-nums text-slate-600 dark:text-slate-300">v{pipeline.latestVersion}</td>
              <td className="px-4 py-3">
                {pipeline.lastRun ? (
                  <Link
                    href={`/runs/${pipeline.lastRun.id}`}
                    className="inline-flex items-center gap-2 text-slate-600 dark:text-slate-300 hover:text-slate-900 dark:hover:text-slate-100"
                  >
                    <StatusBadge status={pipeline.lastRun.status} />
                    <RelativeTime date={pipeline.lastRun.createdAt} />
                  </Link>
                ) : (
                  <span className="text-slate-400">Never run</span>
                )}
              </td>
              <td className="px-4 py-3 text-slate-600 dark:text-slate-300">
                <RelativeTime date={pipeline.updatedAt} />
              </td>
              <td className="px-2 py-3 text-right">
                <RoleGate role="editor">
                  <PipelineRowMenu pipeline={pipeline} />
                </RoleGate>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
