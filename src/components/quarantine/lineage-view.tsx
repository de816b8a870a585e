"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { ErrorState } from "../error-state";
import { formatDateTime } from "../format";
import { buttonStyles, PageHeader } from "../page-header";
import { HeaderSkeleton, Skeleton } from "../skeleton";
import { StatusBadge } from "../status-badge";
import { errorMessage } from "../trpc-error";
import { QuarantineStatusBadge } from "./record-table";

type TLineage = RouterOutputs["quarantine"]["lineage"];
type TStep = TLineage["steps"][number];

/** How a value reads in the lineage table: JSON for structures, text otherwise, "empty" for null. */
function show(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : undefined;
}

/** Each step with the record it produced and the record before it (the last one a step showed). */
function withPreviousRecords(data: TLineage) {
  return data.steps.reduce<{ step: TStep; before: Record<string, unknown> | undefined; record: Record<string, unknown> | undefined }[]>((acc, step) => {
    const before = acc.findLast((s) => s.record !== undefined)?.record ?? asRecord(data.record);
    const record = step.status === "passed" || step.status === "quarantined" ? asRecord(step.record) : undefined;
    return [...acc, { step, before, record }];
  }, []);
}

/**
 * Where a record came from and what became of it: the source file and line, the raw line,
 * then the record after each node on its path with the fields that node changed
 * highlighted, down to the node that loaded it, dropped it, or quarantined it.
 */
export function LineageView({ lineageId }: { lineageId: string }) {
  const trpc = useTRPC();
  const lineage = useQuery(trpc.quarantine.lineage.queryOptions({ lineageId }));
  if (lineage.isPending) {
    return (
      <div role="status" aria-label="Loading lineage">
        <HeaderSkeleton />
        <Skeleton className="mb-3 h-24 w-full" />
        <Skeleton className="h-48 w-full" />
      </div>
    );
  }
  if (!lineage.data) {
    return <ErrorState title="This record's lineage could not be loaded" message={errorMessage(lineage.error)} onRetry={() => void lineage.refetch()} />;
  }
  const data = lineage.data;
  const steps = withPreviousRecords(data);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Record lineage"
        description={
          <>
            {"aggregate" in data ? (
              <>
                A row node <span className="font-mono">{data.source.nodeId}</span> made from {data.aggregate.count ?? "an unknown number of"} source records, in{" "}
              </>
            ) : (
              <>
                {positionOf(data.source)} of {data.source.file ?? "a file that is no longer kept"}, read by node{" "}
                <span className="font-mono">{data.source.nodeId}</span> in{" "}
              </>
            )}
            <Link href={`/runs/${data.run.id}`} className={buttonStyles.link}>
              run {data.run.id.slice(0, 8)}
            </Link>{" "}
            (version {data.run.version}).
          </>
        }
        actions={<StatusBadge status={data.run.status} />}
      />

      {"aggregate" in data ? (
        <section aria-labelledby="lineage-group" className="rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4">
          <h2 id="lineage-group" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
            Group
          </h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
            {data.aggregate.count === null
              ? "The run's data is no longer kept, so the source records of this group cannot be listed."
              : `${data.aggregate.count.toLocaleString()} source records share ${data.aggregate.groupBy.length > 0 ? data.aggregate.groupBy.join(", ") : "one group (no group-by columns)"}${data.aggregate.count > data.aggregate.sources.length ? `; the first ${data.aggregate.sources.length} are listed` : ""}.`}
          </p>
          <ul aria-label="Source records of the group" className="mt-2 flex flex-col gap-1 text-sm">
            {data.aggregate.sources.map((source) => (
              <li key={source.lineageId} className="flex flex-wrap items-baseline gap-2">
                <Link href={`/lineage/${encodeURIComponent(source.lineageId)}`} className={buttonStyles.link}>
                  {sourceLabel(source.lineageId)}
                </Link>
                <span className="font-mono text-xs text-slate-600 dark:text-slate-300">{JSON.stringify(source.record)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <section aria-labelledby="lineage-source" className="rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-4">
          <h2 id="lineage-source" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
            Source
          </h2>
          <dl className="mt-2 grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-500 dark:text-slate-400">Node</dt>
            <dd className="font-mono">{data.source.nodeId}</dd>
            {data.source.request !== undefined ? (
              <>
                <dt className="text-slate-500 dark:text-slate-400">Request</dt>
                <dd className="break-all font-mono text-xs">{data.source.request}</dd>
                <dt className="text-slate-500 dark:text-slate-400">Page</dt>
                <dd>{data.source.page}</dd>
                <dt className="text-slate-500 dark:text-slate-400">Index in page</dt>
                <dd>{data.source.index}</dd>
              </>
            ) : (
              <>
                <dt className="text-slate-500 dark:text-slate-400">File</dt>
                <dd>{data.source.file ?? "no longer kept"}</dd>
                <dt className="text-slate-500 dark:text-slate-400">{data.source.index !== undefined ? "Element" : "Line"}</dt>
                <dd>{data.source.index ?? data.source.line}</dd>
              </>
            )}
            <dt className="text-slate-500 dark:text-slate-400">Lineage id</dt>
            <dd className="break-all font-mono text-xs">{data.lineageId}</dd>
          </dl>
          <h3 className="mt-4 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Raw source record</h3>
          {data.raw === null ? (
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
              {data.source.request !== undefined ? "The run's kept records are gone (retention), so the raw record cannot be shown." : "The uploaded file is no longer kept, so the raw line cannot be shown."}
            </p>
          ) : (
            <pre aria-label="Raw source record" className="mt-1 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100 dark:bg-slate-950 dark:ring-1 dark:ring-slate-700">
              {data.raw}
            </pre>
          )}
        </section>
      )}

      <ol aria-label="Steps" className="flex flex-col gap-3">
        {steps.map(({ step, before, record }) => (
          <StepCard key={step.nodeId} step={step} before={before} record={record} />
        ))}
      </ol>
    </div>
  );
}

function StepCard({ step, before, record }: { step: TStep; before: Record<string, unknown> | undefined; record: Record<string, unknown> | undefined }) {
  const tone =
    step.status === "passed" || step.status === "reingested" || step.status === "remembered"
      ? "border-emerald-200 dark:border-emerald-800"
      : step.status === "quarantined"
        ? "border-rose-300 dark:border-rose-700"
        : step.status === "dropped"
          ? "border-amber-300 dark:border-amber-700"
          : "border-slate-200 dark:border-slate-700";
  const words = {
    passed: "passed",
    quarantined: "quarantined here",
    reingested: "quarantined here, fixed and re-ingested",
    remembered: "rejected here, loaded with the fix quarantine remembered from an earlier run",
    dropped: "dropped here",
    "not-available": "not available",
  }[step.status];
  const wasQuarantined = step.status === "quarantined" || step.status === "reingested" || step.status === "remembered";
  const errors = wasQuarantined && Array.isArray(step.errors) ? step.errors.map(asRecord).filter((e) => e !== undefined) : [];
  const failing = new Set(errors.map((e) => String(e.field)));
  const removed = before && record ? Object.keys(before).filter((key) => !(key in record)) : [];
  return (
    <li className={`rounded-lg border bg-white dark:bg-slate-900 p-4 ${tone}`}>
      <h2 className="text-sm font-semibold text-slate-900 dark:text-slate-100">
        {step.title} <span className="font-mono text-xs font-normal text-slate-500 dark:text-slate-400">{step.nodeId}</span> — {words}
      </h2>
      {"note" in step ? <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">{step.note}</p> : null}
      {record ? (
        <table className="mt-2 w-full text-left text-sm">
          <caption className="sr-only">Record after {step.nodeId}</caption>
          <tbody>
            {Object.entries(record).map(([key, value]) => {
              const changed = before !== undefined && (!(key in before) || show(before[key]) !== show(value));
              return (
                <tr key={key} className={failing.has(key) ? "bg-rose-50 dark:bg-rose-950/50" : changed ? "bg-amber-50 dark:bg-amber-950/50" : ""}>
                  <th scope="row" className="w-48 py-0.5 pr-3 font-mono text-xs font-normal text-slate-500 dark:text-slate-400">
                    {key}
                  </th>
                  <td className="py-0.5 font-mono text-xs">
                    {show(value)}
                    {changed ? (
                      <span className="ml-2 text-amber-800 dark:text-amber-200">
                        changed{before && key in before ? ` (was ${show(before[key])})` : " (new)"}
                      </span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {removed.length > 0 ? <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">Not passed on: {removed.join(", ")}</p> : null}
      {errors.length > 0 ? (
        <ul aria-label="Quarantine errors" className="mt-2 list-disc pl-5 text-sm text-rose-800 dark:text-rose-200">
          {errors.map((error, index) => (
            <li key={index}>{String(error.message)}</li>
          ))}
        </ul>
      ) : null}
      {wasQuarantined ? <QuarantinedSince id={step.quarantineId} /> : null}
    </li>
  );
}

/** What happened to a quarantined record afterwards: its fixes (before → after, who, when) and the re-ingest run. */
function QuarantinedSince({ id }: { id: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.quarantine.get.queryOptions({ id }));
  if (!detail.data) return detail.isPending ? <Skeleton className="mt-2 h-4 w-1/3" /> : null;
  const record = detail.data;
  return (
    <div className="mt-3 flex flex-col gap-1 text-sm text-slate-700 dark:text-slate-300">
      <p className="flex flex-wrap items-center gap-2">
        <QuarantineStatusBadge status={record.status} />
        <Link href={`/quarantine?runId=${record.runId}&node=${encodeURIComponent(record.nodeId)}`} className={buttonStyles.link}>
          Review in quarantine (record #{record.id})
        </Link>
        {record.reingestRunId ? (
          <Link href={`/runs/${record.reingestRunId}`} className={buttonStyles.link}>
            Re-ingest run {record.reingestRunId.slice(0, 8)}
          </Link>
        ) : null}
      </p>
      {record.history.length > 0 ? (
        <ol className="list-decimal pl-5 text-xs">
          {record.history.map((entry, index) => (
            <li key={index}>
              {entry.action} by {entry.by}, {formatDateTime(new Date(entry.at))}
              {entry.fix ? `: ${entry.fix}` : ""}
              {entry.reason ? `: ${entry.reason}` : ""}
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}

/** "Line 12" for CSV and NDJSON records, "Element 3" (0-based) for JSON array elements. */
function positionOf(source: { line?: number; index?: number }): string {
  return source.index !== undefined ? `Element ${source.index}` : `Line ${source.line}`;
}

/** A source record's lineage id read for people: its source node and line (or element). */
function sourceLabel(lineageId: string): string {
  const [, node, position] = lineageId.split(":");
  return `${node ?? "source"} · ${position ?? lineageId}`;
}
