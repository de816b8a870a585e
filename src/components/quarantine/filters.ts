/**
 * The quarantine screen's filters as they live in the URL
 * (`?runId=<id>&pipeline=<id>&node=val&field=aqi&rule=max&status=open&from=2026-11-01&to=2026-11-21&order=desc`),
 * so a filtered view can be bookmarked, shared, linked from a run page and exported as the same CSV.
 * Pure: the page and the export route read the same query string the same way.
 */
import { startOfDay } from "../runs/run-filters";

/** Records per page of the quarantine table (the page prefetches the first on the server). */
export const QUARANTINE_PAGE_SIZE = 100;

export const QUARANTINE_STATUSES = ["open", "fixed", "reingested", "discarded"] as const;
export type TQuarantineStatus = (typeof QUARANTINE_STATUSES)[number];

export const STATUS_LABELS: Record<TQuarantineStatus, string> = {
  open: "Open",
  fixed: "Fixed",
  reingested: "Re-ingested",
  discarded: "Discarded",
};

/**
 * The status filter: one status, "all", or (when absent) the records still waiting for a
 * person, open or fixed: the review queue, whose count drops as records are re-ingested.
 */
export type TStatusFilter = TQuarantineStatus | "all";

export interface QuarantineFilters {
  pipelineId?: string;
  runId?: string;
  nodeId?: string;
  field?: string;
  rule?: string;
  status?: TStatusFilter;
  /** YYYY-MM-DD, local day */
  from?: string;
  /** YYYY-MM-DD, inclusive */
  to?: string;
  order?: "asc" | "desc";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 200;

function isStatus(value: string): value is TQuarantineStatus {
  return (QUARANTINE_STATUSES as readonly string[]).includes(value);
}

/** Reads the filters from a query string; anything unreadable is dropped and explained, never silently ignored. */
export function parseQuarantineFilters(params: URLSearchParams): { filters: QuarantineFilters; problems: string[] } {
  const filters: QuarantineFilters = {};
  const problems: string[] = [];
  for (const [key, name, target] of [
    ["pipeline", "pipeline", "pipelineId"],
    ["runId", "run", "runId"],
  ] as const) {
    const value = params.get(key);
    if (!value) continue;
    if (UUID.test(value)) filters[target] = value.toLowerCase();
    else problems.push(`“${value}” is not a ${name} id, so records of every ${name} are shown.`);
  }
  for (const [key, target] of [
    ["node", "nodeId"],
    ["field", "field"],
    ["rule", "rule"],
  ] as const) {
    const value = params.get(key);
    if (!value) continue;
    if (value.length <= MAX_TEXT) filters[target] = value;
    else problems.push(`The ${key} filter is longer than ${MAX_TEXT} characters, so it is not applied.`);
  }
  const status = params.get("status");
  if (status) {
    if (isStatus(status) || status === "all") filters.status = status;
    else problems.push(`“${status}” is not a quarantine status (${QUARANTINE_STATUSES.join(", ")} or all), so the records to review are shown.`);
  }
  for (const key of ["from", "to"] as const) {
    const value = params.get(key);
    if (!value) continue;
    if (startOfDay(value)) filters[key] = value;
    else problems.push(`“${value}” is not a date (YYYY-MM-DD), so the “${key}” limit is not applied.`);
  }
  if (filters.from && filters.to && filters.from > filters.to) {
    problems.push(`The date range ends (${filters.to}) before it starts (${filters.from}), so it is not applied.`);
    delete filters.from;
    delete filters.to;
  }
  const order = params.get("order");
  if (order === "desc" || order === "asc") filters.order = order;
  else if (order) problems.push(`“${order}” is not an order (asc or desc), so the oldest records come first.`);
  return { filters, problems };
}

/** The query string for a set of filters (empty ones left out), e.g. "?runId=…&status=open", or "" for none. */
export function quarantineFiltersToSearch(filters: QuarantineFilters): string {
  const params = new URLSearchParams();
  const entries: [string, string | undefined][] = [
    ["runId", filters.runId],
    ["pipeline", filters.pipelineId],
    ["node", filters.nodeId],
    ["field", filters.field],
    ["rule", filters.rule],
    ["status", filters.status],
    ["from", filters.from],
    ["to", filters.to],
    ["order", filters.order === "desc" ? "desc" : undefined],
  ];
  for (const [key, value] of entries) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The service's filter for a set of URL filters: days become instants in the viewer's time zone, `to` inclusive. */
export function quarantineFiltersToInput(filters: QuarantineFilters) {
  const to = filters.to ? startOfDay(filters.to) : undefined;
  if (to) to.setDate(to.getDate() + 1);
  return {
    ...(filters.pipelineId ? { pipelineId: filters.pipelineId } : {}),
    ...(filters.runId ? { runId: filters.runId } : {}),
    ...(filters.nodeId ? { nodeId: filters.nodeId } : {}),
    ...(filters.field ? { field: filters.field } : {}),
    ...(filters.rule ? { rule: filters.rule } : {}),
    ...(filters.status === "all" ? {} : { status: filters.status ?? ("review" as const) }),
    ...(filters.from ? { from: startOfDay(filters.from) } : {}),
    ...(to ? { to } : {}),
  };
}

/** Whether any filter narrows the records (the order does not). */
export function hasQuarantineFilters(filters: QuarantineFilters): boolean {
  return Object.entries(filters).some(([key, value]) => key !== "order" && value !== undefined);
}

const RULE_PHRASES: Record<string, string> = {
  type: "not a valid value of its type",
  required: "missing",
  min: "below the minimum",
  max: "above the maximum",
  minLength: "too short",
  maxLength: "too long",
  pattern: "does not match the pattern",
  oneOf: "not an allowed value",
  unique: "repeats an earlier record",
  references: "not found in the referenced table",
  unknownField: "field without a rule",
  columnCount: "wrong number of columns",
  encoding: "unreadable characters",
};

/** A group's heading: "aqi: above the maximum". */
export function groupLabel(field: string, rule: string): string {
  return `${field}: ${RULE_PHRASES[rule] ?? rule}`;
}
