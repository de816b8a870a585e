"use client";

import { skipToken, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { VIOLATION_RULES } from "@/nodes/validate/rules";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { EmptyState } from "../empty-state";
import { ErrorState } from "../error-state";
import { formatCount, formatDateTime } from "../format";
import { QuarantineIcon } from "../icons";
import { useCan } from "../caller-context";
import { buttonStyles } from "../page-header";
import { Skeleton, TableSkeleton } from "../skeleton";
import { errorMessage } from "../trpc-error";
import { BulkFixDialog, type TQuarantineTargetInput } from "./bulk-fix-dialog";
import { DiscardDialog } from "./discard-dialog";
import {
  groupLabel,
  hasQuarantineFilters,
  parseQuarantineFilters,
  QUARANTINE_STATUSES,
  quarantineFiltersToInput,
  quarantineFiltersToSearch,
  QUARANTINE_PAGE_SIZE,
  STATUS_LABELS,
  type QuarantineFilters,
} from "./filters";
import { RecordPanel } from "./record-panel";
import { ReingestControls } from "./reingest-controls";
import { fieldColumns, RecordTable, type TQuarantineListRow } from "./record-table";

/** After a re-ingest starts, its records settle within seconds: the screen follows them for a while. */
const FOLLOW_MS = 60_000;
const FOLLOW_EVERY_MS = 2_000;
const fieldStyles =
  "rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2.5 py-1.5 text-sm text-slate-900 dark:text-slate-100 shadow-sm focus-visible:outline-2 focus-visible:outline-sky-600";

/** The export link carries the date range as instants: days are the viewer's, the server's time zone may differ. */
function exportHref(filters: QuarantineFilters): string {
  const input = quarantineFiltersToInput(filters);
  const params = new URLSearchParams(quarantineFiltersToSearch({ ...filters, from: undefined, to: undefined, order: undefined }));
  if (input.from) params.set("fromAt", input.from.toISOString());
  if (input.to) params.set("toAt", input.to.toISOString());
  const text = params.toString();
  return `/api/quarantine/export${text ? `?${text}` : ""}`;
}

/**
 * The quarantine review screen: records a validate node rejected, filtered by anything in
 * the URL, grouped by error, fixable one by one or in bulk, re-ingestable and exportable.
 */
export function QuarantineReview() {
  const trpc = useTRPC();
  const canFix = useCan("editor");
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const search = searchParams.toString();
  const { filters, problems } = useMemo(() => parseQuarantineFilters(new URLSearchParams(search)), [search]);
  const filter = useMemo(() => quarantineFiltersToInput(filters), [filters]);
  const order = filters.order ?? "asc";

  const [openId, setOpenId] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // Every record the filter matches, loaded or not: bulk actions then target the filter, not ids.
  const [allMatching, setAllMatching] = useState(false);
  const [dialog, setDialog] = useState<{ kind: "fix" | "discard"; target: TQuarantineTargetInput; label: string } | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [following, setFollowing] = useState(false);
  const follow = following ? FOLLOW_EVERY_MS : false;

  const list = useInfiniteQuery(
    trpc.quarantine.list.infiniteQueryOptions(
      { filter, order, limit: QUARANTINE_PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor ?? null, refetchInterval: follow },
    ),
  );
  // Requests made together travel in one batch, answered when its slowest part is. Over a
  // million records the first page takes ~50 ms, the count ~0.4 s, the groups ~1 s: each
  // goes on its own, in that order, so each shows as soon as it can.
  const listed = list.data !== undefined || list.isError;
  const count = useQuery(trpc.quarantine.count.queryOptions(filter, { refetchInterval: follow, enabled: listed }));
  const counted = count.data !== undefined || count.isError;
  const groups = useQuery(trpc.quarantine.groups.queryOptions(filter, { refetchInterval: follow, enabled: counted }));
  const facets = useQuery(trpc.quarantine.facets.queryOptions({ pipelineId: filter.pipelineId, runId: filter.runId }));

  const rows = useMemo(() => list.data?.pages.flatMap((page) => page.records) ?? [], [list.data]);
  const first = rows[0];
  const firstRules = useQuery(
    trpc.quarantine.rules.queryOptions(first ? { runId: first.runId, nodeId: first.nodeId } : skipToken, { staleTime: Infinity }),
  );
  const fields = useMemo(() => fieldColumns(rows, firstRules.data?.columns.map((c) => c.name)), [rows, firstRules.data]);
  // Every matching record was rejected by the same node of the same run, so one set of rules applies.
  const oneSource = first !== undefined && filters.runId === first.runId && (filters.nodeId === first.nodeId || facets.data?.nodes.length === 1);

  function applyFilters(next: QuarantineFilters) {
    setSelected(new Set());
    setAllMatching(false);
    setOpenId(undefined);
    router.replace(`${pathname}${quarantineFiltersToSearch(next)}`, { scroll: false });
  }

  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.quarantine.pathKey() });
  }, [queryClient, trpc]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  function toggle(id: string) {
    setAllMatching(false);
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  }

  const total = count.data ? `${formatCount(count.data.count)}${count.data.capped ? "+" : ""}` : undefined;
  const filterTarget: TQuarantineTargetInput = { filter };
  const filterLabel = `all ${total ?? ""} records matching the current filters`.replace("  ", " ");
  const selectedTarget: TQuarantineTargetInput = allMatching ? filterTarget : { ids: [...selected] };
  const selectedLabel = allMatching ? filterLabel : `the ${formatCount(selected.size)} selected record${selected.size === 1 ? "" : "s"}`;
  const selectedCount = allMatching ? (count.data?.count ?? selected.size) : selected.size;
  const moreThanLoaded = count.data !== undefined && count.data.count > rows.length;

  const done = (verb: string) => (records: number) => {
    setSelected(new Set());
    setAllMatching(false);
    setNotice(`${formatCount(records)} record${records === 1 ? "" : "s"} ${verb}.`);
    refresh();
  };

  const activeGroup = filters.field && filters.rule ? `${filters.field}\u0000${filters.rule}` : undefined;

  return (
    <div className="flex flex-col gap-4">
      <FilterBar filters={filters} facets={facets.data} onChange={applyFilters} />
      {problems.length > 0 ? (
        <ul role="status" className="list-disc rounded-md border border-amber-200 dark:border-amber-800 bg-amber-50 dark:bg-amber-950/50 px-8 py-2 text-sm text-amber-900 dark:text-amber-200">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}

      <div className="flex flex-wrap items-center gap-2">
        <div role="status" aria-live="polite" aria-label="Matching records" className="mr-auto text-sm text-slate-700 dark:text-slate-300">
          {count.isPending ? (
            <Skeleton className="inline-block h-4 w-32 align-middle" />
          ) : count.data ? (
            <>
              <span className="text-lg font-semibold text-slate-900 dark:text-slate-100">{total}</span> record{count.data.count === 1 ? "" : "s"}
              {hasQuarantineFilters(filters) ? " match these filters" : " to review"}
            </>
          ) : (
            <span className="text-rose-700 dark:text-rose-300">The count could not be loaded: {errorMessage(count.error)}</span>
          )}
        </div>
        {canFix && selected.size > 0 ? (
          <>
            <button type="button" className={buttonStyles.secondary} onClick={() => setDialog({ kind: "fix", target: selectedTarget, label: selectedLabel })}>
              Fix {allMatching ? total : formatCount(selected.size)} selected
            </button>
            <button type="button" className={buttonStyles.secondary} onClick={() => setDialog({ kind: "discard", target: selectedTarget, label: selectedLabel })}>
              Discard selected…
            </button>
          </>
        ) : null}
        {canFix ? (
          <button
            type="button"
            className={buttonStyles.secondary}
            disabled={!count.data || count.data.count === 0}
            onClick={() => setDialog({ kind: "fix", target: filterTarget, label: filterLabel })}
          >
            Bulk fix all matching
          </button>
        ) : null}
        <a href={exportHref(filters)} download className={buttonStyles.secondary}>
          Export CSV
        </a>
      </div>
      {canFix && selected.size > 0 && selected.size === rows.length && moreThanLoaded ? (
        <p role="status" className="flex flex-wrap items-center gap-2 rounded-md border border-sky-200 dark:border-sky-800 bg-sky-50 dark:bg-sky-950/50 px-3 py-2 text-sm text-sky-900 dark:text-sky-200">
          {allMatching ? (
            <>
              All <strong>{total}</strong> matching records are selected, loaded or not.
              <button type="button" className={buttonStyles.link} onClick={() => setAllMatching(false)}>
                Select only the {formatCount(rows.length)} loaded
              </button>
            </>
          ) : (
            <>
              The {formatCount(rows.length)} loaded records are selected.
              <button type="button" className={buttonStyles.link} onClick={() => setAllMatching(true)}>
                Select all {total} matching records
              </button>
            </>
          )}
        </p>
      ) : null}
      {canFix ? (
      <ReingestControls
        filter={filter}
        selectedIds={[...selected]}
        selection={allMatching ? { target: filterTarget, count: selectedCount } : undefined}
        onStarted={() => {
          setSelected(new Set());
          setAllMatching(false);
          setFollowing(true);
          setTimeout(() => setFollowing(false), FOLLOW_MS);
          refresh();
        }}
      />
      ) : null}
      {notice ? (
        <p role="status" className="rounded-md border border-emerald-200 dark:border-emerald-800 bg-emerald-50 dark:bg-emerald-950/50 px-3 py-2 text-sm text-emerald-900 dark:text-emerald-200">
          {notice}
        </p>
      ) : null}

      <div className="grid gap-4 lg:grid-cols-[16rem_minmax(0,1fr)]">
        <section aria-labelledby="error-groups" className="flex flex-col gap-2">
          <h2 id="error-groups" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
            Error groups
          </h2>
          {groups.isPending ? (
            <div role="status" aria-label="Loading error groups" className="space-y-2">
              <Skeleton className="h-12 w-full" />
              <Skeleton className="h-12 w-full" />
            </div>
          ) : !groups.data ? (
            <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
              {errorMessage(groups.error)}
            </p>
          ) : groups.data.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-300">No errors to group.</p>
          ) : (
            <ul className="flex flex-col gap-1.5">
              {groups.data.map((group) => {
                const key = `${group.field}\u0000${group.rule}`;
                const active = key === activeGroup;
                return (
                  <li key={key}>
                    <button
                      type="button"
                      aria-pressed={active}
                      title={group.example}
                      onClick={() => applyFilters(active ? { ...filters, field: undefined, rule: undefined } : { ...filters, field: group.field, rule: group.rule })}
                      className={`w-full rounded-md border px-3 py-2 text-left text-sm focus-visible:outline-2 focus-visible:outline-sky-600 ${
                        active ? "border-sky-500 bg-sky-50 dark:bg-sky-950/50" : "border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 hover:bg-slate-50 dark:hover:bg-slate-800"
                      }`}
                    >
                      <span className="block font-medium text-slate-900 dark:text-slate-100">
                        {groupLabel(group.field, group.rule)} — {formatCount(group.records)} record{group.records === 1 ? "" : "s"}
                      </span>
                      <span className="block truncate text-xs text-slate-500 dark:text-slate-400">{group.example}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </section>

        <div className={`grid gap-4 ${openId ? "xl:grid-cols-[minmax(0,1fr)_24rem]" : ""}`}>
          {list.isPending ? (
            <TableSkeleton label="Loading quarantined records" />
          ) : !list.data ? (
            <ErrorState title="The quarantined records could not be loaded" message={errorMessage(list.error)} onRetry={() => void list.refetch()} />
          ) : rows.length === 0 ? (
            hasQuarantineFilters(filters) ? (
              <EmptyState
                title="No quarantined records match these filters"
                actions={
                  <button type="button" className={buttonStyles.secondary} onClick={() => applyFilters(filters.runId ? { runId: filters.runId } : {})}>
                    {filters.runId ? "Show every record of this run" : "Clear filters"}
                  </button>
                }
              >
                <p>Try another error group, status or a wider date range.</p>
              </EmptyState>
            ) : (
              <EmptyState
                icon={<QuarantineIcon className="size-6" />}
                title="Nothing to review"
                actions={
                  <>
                    <Link href="/pipelines" className={buttonStyles.primary}>
                      Open pipelines
                    </Link>
                    <button type="button" className={buttonStyles.secondary} onClick={() => applyFilters({ status: "all" })}>
                      Show re-ingested and discarded records
                    </button>
                  </>
                }
              >
                <p>
                  When a validate node rejects a record, it lands here with every rule it broke. Add a validate node after a source, run the
                  pipeline, and review the rejects here: fix them in place and re-ingest them with one click.
                </p>
              </EmptyState>
            )
          ) : (
            <RecordTable
              rows={rows}
              columns={fields}
              selected={selected}
              onToggle={toggle}
              onToggleAll={(checked) => {
                setAllMatching(false);
                setSelected(checked ? new Set(rows.map((r) => r.id)) : new Set());
              }}
              onOpen={(row: TQuarantineListRow) => setOpenId(row.id)}
              openId={openId}
              hasMore={hasNextPage}
              loadingMore={isFetchingNextPage}
              onLoadMore={loadMore}
            />
          )}
          {openId ? <RecordPanel id={openId} onClose={() => setOpenId(undefined)} onChanged={refresh} refetchInterval={follow} /> : null}
        </div>
      </div>

      {dialog?.kind === "fix" ? (
        <BulkFixDialog
          onClose={() => setDialog(undefined)}
          target={dialog.target}
          targetLabel={dialog.label}
          fields={fields}
          defaultField={filters.field}
          rules={oneSource ? firstRules.data : undefined}
          onApplied={done("fixed")}
        />
      ) : dialog?.kind === "discard" ? (
        <DiscardDialog onClose={() => setDialog(undefined)} target={dialog.target} targetLabel={dialog.label} onDiscarded={done("discarded")} />
      ) : null}
    </div>
  );
}

type TFacets = RouterOutputs["quarantine"]["facets"] | undefined;

function FilterBar({ filters, facets, onChange }: { filters: QuarantineFilters; facets: TFacets; onChange: (next: QuarantineFilters) => void }) {
  const set = (patch: Partial<QuarantineFilters>) => onChange({ ...filters, ...patch });
  const text = (value: string) => (value === "" ? undefined : value);
  return (
    <form role="search" aria-label="Filter quarantined records" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900 p-3" onSubmit={(e) => e.preventDefault()}>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        Pipeline
        <select value={filters.pipelineId ?? ""} onChange={(e) => set({ pipelineId: text(e.target.value), runId: undefined, nodeId: undefined })} className={fieldStyles}>
          <option value="">All pipelines</option>
          {facets?.pipelines.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        Run
        <select value={filters.runId ?? ""} onChange={(e) => set({ runId: text(e.target.value), nodeId: undefined })} className={fieldStyles}>
          <option value="">All runs</option>
          {filters.runId && !facets?.runs.some((r) => r.id === filters.runId) ? <option value={filters.runId}>{filters.runId.slice(0, 8)}</option> : null}
          {facets?.runs.map((r) => (
            <option key={r.id} value={r.id}>
              {r.pipelineName} · {formatDateTime(r.createdAt)} · {r.id.slice(0, 8)}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        Node
        <select value={filters.nodeId ?? ""} onChange={(e) => set({ nodeId: text(e.target.value) })} className={fieldStyles}>
          <option value="">All nodes</option>
          {filters.nodeId && !facets?.nodes.includes(filters.nodeId) ? <option value={filters.nodeId}>{filters.nodeId}</option> : null}
          {facets?.nodes.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        Field
        <input defaultValue={filters.field ?? ""} key={filters.field ?? ""} onBlur={(e) => set({ field: text(e.target.value.trim()) })} onKeyDown={(e) => { if (e.key === "Enter") set({ field: text(e.currentTarget.value.trim()) }); }} placeholder="any" className={`${fieldStyles} w-32`} />
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        Rule
        <select value={filters.rule ?? ""} onChange={(e) => set({ rule: text(e.target.value) })} className={fieldStyles}>
          <option value="">Any rule</option>
          {VIOLATION_RULES.map((rule) => (
            <option key={rule} value={rule}>
              {rule}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        Status
        <select
          value={filters.status ?? ""}
          onChange={(e) => set({ status: e.target.value === "all" ? "all" : QUARANTINE_STATUSES.find((s) => s === e.target.value) })}
          className={fieldStyles}
        >
          <option value="">To review (open or fixed)</option>
          <option value="all">Any status</option>
          {QUARANTINE_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        From
        <input type="date" value={filters.from ?? ""} onChange={(e) => set({ from: text(e.target.value) })} className={fieldStyles} />
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        To
        <input type="date" value={filters.to ?? ""} onChange={(e) => set({ to: text(e.target.value) })} className={fieldStyles} />
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
        Order
        <select value={filters.order ?? "asc"} onChange={(e) => set({ order: e.target.value === "desc" ? "desc" : undefined })} className={fieldStyles}>
          <option value="asc">Oldest first</option>
          <option value="desc">Newest first</option>
        </select>
      </label>
      {hasQuarantineFilters(filters) ? (
        <button type="button" className={buttonStyles.secondary} onClick={() => onChange({})}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
