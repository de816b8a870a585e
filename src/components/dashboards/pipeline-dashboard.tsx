"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo } from "react";
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RouterOutputs } from "@/trpc/react";
import { formatCount, formatDateTime, formatDuration } from "../format";
import { RelativeTime } from "../relative-time";
import { StatusBadge } from "../status-badge";
import { quarantineFiltersToSearch } from "../quarantine/filters";
import { cardStyles, CHART_COLORS, ChartCard, ChartTooltip } from "./chart-card";

export type TPipelineDashboardData = RouterOutputs["dashboards"]["pipeline"];
type TRun = TPipelineDashboardData["runs"][number];

const shortTime = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const axis = { tick: { fill: "currentColor", fontSize: 11 }, stroke: "currentColor", strokeOpacity: 0.3 };
const grid = <CartesianGrid stroke="currentColor" strokeOpacity={0.12} vertical={false} />;
/** Series beyond this many field·rule pairs are summed as "Other". */
const MAX_RULE_SERIES = 6;
const linkStyles = "text-xs font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-400";

function runLabel(run: TRun): string {
  return shortTime.format(run.finishedAt);
}

/**
 * A pipeline's run dashboard. `links` is false on a shared page: nothing there may lead into
 * the app, so charts neither link nor open runs on click.
 */
export function PipelineDashboard({ data, links }: { data: TPipelineDashboardData; links: boolean }) {
  const router = useRouter();
  const pipelineId = data.pipeline.id;
  const runs = data.runs;
  const openRun = links ? (runId: string) => router.push(`/runs/${runId}`) : undefined;
  const quarantineHref = (filters: { status?: "open" | "all"; field?: string; rule?: string; nodeId?: string }) =>
    `/quarantine${quarantineFiltersToSearch({ pipelineId, ...filters })}`;
  const runsLink = links ? (
    <Link href={`/runs?pipeline=${pipelineId}`} className={linkStyles}>
      Runs
    </Link>
  ) : undefined;

  const byRule = useMemo(() => rulesByDay(data.quarantineByRule), [data.quarantineByRule]);
  const nodeIds = useMemo(() => [...new Set(runs.flatMap((r) => r.nodes.map((n) => n.nodeId)))], [runs]);
  const nodeRows = useMemo(
    () => runs.map((run) => ({ runId: run.runId, label: runLabel(run), ...Object.fromEntries(run.nodes.map((n) => [n.nodeId, n.durationMs])) })),
    [runs],
  );
  const runRows = useMemo(() => runs.map((run) => ({ ...run, label: runLabel(run), durationS: run.durationMs === null ? null : run.durationMs / 1000 })), [runs]);
  const totals = runs.reduce((t, r) => ({ loaded: t.loaded + r.rowsLoaded, quarantined: t.quarantined + r.rowsQuarantined, discarded: t.discarded + r.rowsDiscarded }), {
    loaded: 0,
    quarantined: 0,
    discarded: 0,
  });
  const latestRate = runs.findLast((r) => r.rejectRatePercent !== null)?.rejectRatePercent ?? null;
  const backlogRows = [
    { status: "Open", key: "open" as const, n: data.backlog.open, color: CHART_COLORS.quarantined },
    { status: "Fixed", key: "fixed" as const, n: data.backlog.fixed, color: CHART_COLORS.rate },
    { status: "Re-ingested", key: "reingested" as const, n: data.backlog.reingested, color: CHART_COLORS.loaded },
    { status: "Discarded", key: "discarded" as const, n: data.backlog.discarded, color: CHART_COLORS.discarded },
  ];
  const clickBar = openRun ? (entry: unknown) => openRun((entry as { payload?: { runId?: string } }).payload?.runId ?? "") : undefined;
  const charted = runs.length < data.runsInRange ? `the newest ${runs.length} of ${formatCount(data.runsInRange)} runs` : `${formatCount(runs.length)} ${runs.length === 1 ? "run" : "runs"}`;

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-3" data-testid="pipeline-dashboard">
      <Freshness data={data} />

      <LatestRuns data={data} links={links} />

      <ChartCard
        className="lg:col-span-3"
        title="Rows per run"
        description={`Loaded, quarantined and discarded (filtered out or deduplicated), ${charted}${links ? "; click a bar to open its run" : ""}`}
        summary={`${charted}: ${formatCount(totals.loaded)} rows loaded, ${formatCount(totals.quarantined)} quarantined, ${formatCount(totals.discarded)} discarded`}
        filename={`${data.pipeline.name}-rows-per-run`}
        rows={runRows}
        columns={[
          { label: "Run", value: (r) => r.runId },
          { label: "Finished", value: (r) => r.finishedAt.toISOString(), format: (r) => formatDateTime(r.finishedAt) },
          { label: "Status", value: (r) => r.status },
          { label: "Rows read", value: (r) => r.rowsRead, format: (r) => formatCount(r.rowsRead) },
          { label: "Loaded", value: (r) => r.rowsLoaded, format: (r) => formatCount(r.rowsLoaded) },
          { label: "Quarantined", value: (r) => r.rowsQuarantined, format: (r) => formatCount(r.rowsQuarantined) },
          { label: "Discarded", value: (r) => r.rowsDiscarded, format: (r) => formatCount(r.rowsDiscarded) },
        ]}
        link={runsLink}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={runRows} margin={{ right: 8 }}>
            {grid}
            <XAxis dataKey="label" {...axis} minTickGap={24} />
            <YAxis allowDecimals={false} {...axis} tickFormatter={(v: number) => formatCount(v)} width={64} />
            <Tooltip cursor={{ fillOpacity: 0.08 }} content={<ChartTooltip formatValue={(v) => formatCount(Number(v))} />} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            {(
              [
                ["rowsLoaded", "Loaded", CHART_COLORS.loaded],
                ["rowsQuarantined", "Quarantined", CHART_COLORS.quarantined],
                ["rowsDiscarded", "Discarded", CHART_COLORS.discarded],
              ] as const
            ).map(([key, name, color]) => (
              <Bar key={key} dataKey={key} name={name} stackId="rows" fill={color} isAnimationActive={false} onClick={clickBar} cursor={links ? "pointer" : undefined} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        title="Reject rate"
        description={
          data.rejectRateThresholdPercent !== null
            ? `Quarantined rows as a share of rows read; the dashed line is the alert threshold (${data.rejectRateThresholdPercent}%)`
            : "Quarantined rows as a share of rows read (no reject-rate alert rule watches this pipeline)"
        }
        summary={latestRate === null ? "No rows read in this range" : `The latest run rejected ${latestRate}% of the rows it read${data.rejectRateThresholdPercent !== null ? `; the alert threshold is ${data.rejectRateThresholdPercent}%` : ""}`}
        filename={`${data.pipeline.name}-reject-rate`}
        rows={runRows}
        columns={[
          { label: "Run", value: (r) => r.runId },
          { label: "Finished", value: (r) => r.finishedAt.toISOString(), format: (r) => formatDateTime(r.finishedAt) },
          { label: "Reject rate (%)", value: (r) => r.rejectRatePercent },
        ]}
        link={runsLink}
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={runRows} margin={{ right: 16 }}>
            {grid}
            <XAxis dataKey="label" {...axis} minTickGap={24} />
            <YAxis unit="%" {...axis} width={48} domain={[0, (max: number) => Math.max(max, data.rejectRateThresholdPercent ?? 0, 1)]} />
            <Tooltip content={<ChartTooltip formatValue={(v) => (v === null || v === undefined ? "—" : `${String(v)}%`)} />} />
            {data.rejectRateThresholdPercent !== null ? (
              <ReferenceLine
                y={data.rejectRateThresholdPercent}
                stroke={CHART_COLORS.threshold}
                strokeDasharray="6 4"
                label={{ value: `alert at ${data.rejectRateThresholdPercent}%`, position: "insideTopRight", fill: "currentColor", fontSize: 11 }}
              />
            ) : null}
            <Line dataKey="rejectRatePercent" name="Reject rate" stroke={CHART_COLORS.rate} strokeWidth={2} dot={runs.length <= 60} connectNulls isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        title="Run duration"
        description={`From start to finish, ${charted}${links ? "; click a bar to open its run" : ""}`}
        summary={durationSummary(runs)}
        filename={`${data.pipeline.name}-run-duration`}
        rows={runRows}
        columns={[
          { label: "Run", value: (r) => r.runId },
          { label: "Finished", value: (r) => r.finishedAt.toISOString(), format: (r) => formatDateTime(r.finishedAt) },
          { label: "Duration (ms)", value: (r) => r.durationMs, format: (r) => formatDuration(r.durationMs ?? undefined) },
        ]}
        link={runsLink}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={runRows} margin={{ right: 8 }}>
            {grid}
            <XAxis dataKey="label" {...axis} minTickGap={24} />
            <YAxis {...axis} width={56} tickFormatter={(v: number) => formatDuration(v * 1000)} />
            <Tooltip cursor={{ fillOpacity: 0.08 }} content={<ChartTooltip formatValue={(v) => formatDuration(Number(v) * 1000)} />} />
            <Bar dataKey="durationS" name="Duration" fill={CHART_COLORS.duration} isAnimationActive={false} onClick={clickBar} cursor={links ? "pointer" : undefined} />
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        title="Quarantine backlog"
        description="Every quarantined record of this pipeline by status, now"
        summary={backlogRows.map((r) => `${r.status} ${formatCount(r.n)}`).join(", ")}
        filename={`${data.pipeline.name}-quarantine-backlog`}
        rows={backlogRows}
        columns={[
          { label: "Status", value: (r) => r.status },
          { label: "Records", value: (r) => r.n, format: (r) => formatCount(r.n) },
        ]}
        link={
          links ? (
            <Link href={quarantineHref({})} className={linkStyles}>
              Review open records
            </Link>
          ) : undefined
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={backlogRows} layout="vertical" margin={{ left: 16, right: 24 }}>
            <CartesianGrid stroke="currentColor" strokeOpacity={0.12} horizontal={false} />
            <XAxis type="number" allowDecimals={false} {...axis} />
            <YAxis type="category" dataKey="status" width={84} {...axis} />
            <Tooltip cursor={{ fillOpacity: 0.08 }} content={<ChartTooltip formatValue={(v) => formatCount(Number(v))} />} />
            <Bar
              dataKey="n"
              name="Records"
              isAnimationActive={false}
              onClick={links ? (entry: unknown) => router.push(quarantineHref({ status: (entry as { payload?: { key?: string } }).payload?.key === "open" ? undefined : "all" })) : undefined}
              cursor={links ? "pointer" : undefined}
            >
              {backlogRows.map((r) => (
                <Cell key={r.key} fill={r.color} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        className="lg:col-span-2"
        title="Quarantine by rule and field"
        description="Violations per day (a record breaking two rules counts under both)"
        summary={
          byRule.series.length === 0
            ? "No violations in this range"
            : byRule.totals.map((s) => `${s.label}: ${formatCount(s.violations)}`).join("; ")
        }
        filename={`${data.pipeline.name}-quarantine-by-rule`}
        rows={data.quarantineByRule}
        columns={[
          { label: "Day", value: (r) => r.day },
          { label: "Node", value: (r) => r.nodeId },
          { label: "Field", value: (r) => r.field },
          { label: "Rule", value: (r) => r.rule },
          { label: "Violations", value: (r) => r.violations, format: (r) => formatCount(r.violations) },
        ]}
        link={
          links ? (
            <Link href={quarantineHref({ status: "all" })} className={linkStyles}>
              Quarantine
            </Link>
          ) : undefined
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={byRule.days} margin={{ right: 8 }}>
            {grid}
            <XAxis dataKey="day" {...axis} minTickGap={16} />
            <YAxis allowDecimals={false} {...axis} width={56} tickFormatter={(v: number) => formatCount(v)} />
            <Tooltip cursor={{ fillOpacity: 0.08 }} content={<ChartTooltip formatValue={(v) => formatCount(Number(v))} />} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            {byRule.series.map((s, i) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stackId="rules"
                fill={CHART_COLORS.series[i % CHART_COLORS.series.length]}
                isAnimationActive={false}
                onClick={links && s.field !== null ? () => router.push(quarantineHref({ status: "all", field: s.field!, rule: s.rule!, nodeId: s.nodeId! })) : undefined}
                cursor={links && s.field !== null ? "pointer" : undefined}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        title="Duration per node"
        description="How long each node took in each run: the step that is getting slower stands out"
        summary={nodeIds.length === 0 ? "No node ran in this range" : `${nodeIds.length} nodes over ${charted}`}
        filename={`${data.pipeline.name}-node-duration`}
        rows={nodeRows}
        columns={[
          { label: "Run", value: (r) => r.runId },
          ...nodeIds.map((id) => ({ label: `${id} (ms)`, value: (r: (typeof nodeRows)[number]) => (r as Record<string, unknown>)[id] as number | null })),
        ]}
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={nodeRows} margin={{ right: 16 }}>
            {grid}
            <XAxis dataKey="label" {...axis} minTickGap={24} />
            <YAxis {...axis} width={56} tickFormatter={(v: number) => formatDuration(v)} />
            <Tooltip content={<ChartTooltip formatValue={(v) => formatDuration(v === null ? undefined : Number(v))} />} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            {nodeIds.map((id, i) => (
              <Line key={id} dataKey={id} name={id} stroke={CHART_COLORS.series[i % CHART_COLORS.series.length]} dot={false} strokeWidth={2} connectNulls isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>
    </div>
  );
}

function durationSummary(runs: TRun[]): string {
  const durations = runs.map((r) => r.durationMs).filter((d): d is number => d !== null).sort((a, b) => a - b);
  if (durations.length === 0) return "No finished runs in this range";
  return `Median ${formatDuration(durations[Math.floor(durations.length / 2)])}, longest ${formatDuration(durations.at(-1))}`;
}

interface TRuleSeries {
  key: string;
  label: string;
  nodeId: string | null;
  field: string | null;
  rule: string | null;
}

/** Day rows with one column per field·rule pair (the biggest few; the rest summed as "Other"). */
function rulesByDay(rows: TPipelineDashboardData["quarantineByRule"]) {
  const totalsByKey = new Map<string, { series: TRuleSeries; violations: number }>();
  for (const r of rows) {
    const key = `${r.nodeId}\u0000${r.field}\u0000${r.rule}`;
    const entry = totalsByKey.get(key) ?? { series: { key: `s${totalsByKey.size}`, label: `${r.field || "(record)"} · ${r.rule}`, nodeId: r.nodeId, field: r.field, rule: r.rule }, violations: 0 };
    entry.violations += r.violations;
    totalsByKey.set(key, entry);
  }
  const ranked = [...totalsByKey.entries()].sort((a, b) => b[1].violations - a[1].violations);
  const shown = new Map(ranked.slice(0, MAX_RULE_SERIES).map(([key, e]) => [key, e.series]));
  const other: TRuleSeries = { key: "other", label: "Other", nodeId: null, field: null, rule: null };
  const days = new Map<string, Record<string, number | string>>();
  for (const r of rows) {
    const series = shown.get(`${r.nodeId}\u0000${r.field}\u0000${r.rule}`) ?? other;
    const day = days.get(r.day) ?? { day: r.day };
    day[series.key] = Number(day[series.key] ?? 0) + r.violations;
    days.set(r.day, day);
  }
  const series = [...shown.values(), ...(ranked.length > MAX_RULE_SERIES ? [other] : [])];
  const totals = ranked.slice(0, MAX_RULE_SERIES).map(([, e]) => ({ label: e.series.label, violations: e.violations }));
  return { days: [...days.values()].sort((a, b) => String(a.day).localeCompare(String(b.day))), series, totals };
}

function Freshness({ data }: { data: TPipelineDashboardData }) {
  const f = data.freshness;
  const finished = data.runs.filter((r) => r.status === "succeeded" || r.status === "failed");
  const succeeded = finished.length === 0 ? null : Math.round((finished.filter((r) => r.status === "succeeded").length / finished.length) * 1000) / 10;
  return (
    <section aria-labelledby="freshness-heading" className={`${cardStyles} flex flex-col gap-3`}>
      <div className="flex items-start justify-between gap-2">
        <h2 id="freshness-heading" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
          Freshness
        </h2>
        <span
          className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${
            f.late ? "bg-amber-50 text-amber-800 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-700" : "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-700"
          }`}
        >
          {f.late ? "Late" : "On time"}
        </span>
      </div>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">Last successful run</dt>
          <dd className="text-lg font-semibold text-slate-900 dark:text-slate-100">{f.lastSuccessAt ? <RelativeTime date={f.lastSuccessAt} /> : "Never"}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">Next scheduled run</dt>
          <dd className="text-lg font-semibold text-slate-900 dark:text-slate-100">
            {f.schedule?.enabled && f.schedule.nextFireAt ? <RelativeTime date={f.schedule.nextFireAt} /> : f.schedule ? "Paused" : "Not scheduled"}
          </dd>
        </div>
        <div className="col-span-2 text-xs text-slate-600 dark:text-slate-300">
          {f.schedule ? <p>Schedule: {f.schedule.description}</p> : <p>No schedule: runs start by hand, the API, a webhook or an upstream pipeline.</p>}
          <p className="mt-1">
            {f.freshnessLimitHours !== null
              ? `Late after ${f.freshnessLimitHours} h without a successful run (freshness alert rule).`
              : f.schedule?.periodMs
                ? `Late after two schedule periods (${formatDuration(2 * f.schedule.periodMs)}) without a successful run.`
                : "Never late: there is no schedule or freshness rule to be late against."}
          </p>
        </div>
      </dl>
      <h3 className="mt-1 border-t border-slate-100 pt-3 text-xs font-semibold text-slate-700 dark:border-slate-800 dark:text-slate-300">In this range</h3>
      <dl className="grid grid-cols-3 gap-x-4 text-sm" data-testid="range-totals">
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">Runs</dt>
          <dd className="text-lg font-semibold tabular-nums text-slate-900 dark:text-slate-100">{formatCount(data.runsInRange)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">Succeeded</dt>
          <dd className="text-lg font-semibold tabular-nums text-slate-900 dark:text-slate-100">{succeeded === null ? "—" : `${succeeded}%`}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">Rows loaded</dt>
          <dd className="text-lg font-semibold tabular-nums text-slate-900 dark:text-slate-100">{formatCount(data.runs.reduce((t, r) => t + r.rowsLoaded, 0))}</dd>
        </div>
      </dl>
    </section>
  );
}

function LatestRuns({ data, links }: { data: TPipelineDashboardData; links: boolean }) {
  return (
    <section aria-labelledby="latest-runs-heading" className={`${cardStyles} lg:col-span-2`}>
      <div className="mb-2 flex items-center justify-between">
        <h2 id="latest-runs-heading" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
          Latest runs
        </h2>
        {links ? (
          <Link href={`/runs?pipeline=${data.pipeline.id}`} className={linkStyles}>
            All runs
          </Link>
        ) : null}
      </div>
      {data.latestRuns.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">This pipeline has not run yet.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-500 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-1 font-medium">Status</th>
              <th scope="col" className="py-1 font-medium">Started</th>
              <th scope="col" className="py-1 font-medium">Trigger</th>
              <th scope="col" className="py-1 text-right font-medium">Loaded</th>
              <th scope="col" className="py-1 text-right font-medium">Quarantined</th>
            </tr>
          </thead>
          <tbody className="text-slate-800 dark:text-slate-200">
            {data.latestRuns.map((run) => (
              <tr key={run.id} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1.5">
                  {links ? (
                    <Link href={`/runs/${run.id}`} aria-label={`Open the run started ${formatDateTime(run.createdAt)}`}>
                      <StatusBadge status={run.status} />
                    </Link>
                  ) : (
                    <StatusBadge status={run.status} />
                  )}
                </td>
                <td className="py-1.5">{formatDateTime(run.createdAt)}</td>
                <td className="py-1.5 capitalize">{run.trigger}</td>
                <td className="py-1.5 text-right tabular-nums">{formatCount(run.rowsLoaded)}</td>
                <td className="py-1.5 text-right tabular-nums">{formatCount(run.rowsQuarantined)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
