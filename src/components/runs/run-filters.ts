import type { RunStatus } from "@/generated/prisma/enums";
import { isRunStatus } from "../status-badge";

/**
 * The runs list filters as they live in the URL (`?pipeline=<id>&status=failed&from=2026-11-01&to=2026-11-21`),
 * so a filtered view can be bookmarked and shared. Dates are whole days in the viewer's time zone; `to` is inclusive.
 */
export interface RunFilters {
  pipelineId?: string;
  status?: RunStatus;
  /** YYYY-MM-DD */
  from?: string;
  /** YYYY-MM-DD, inclusive */
  to?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight of a YYYY-MM-DD day, or undefined when it is not a real calendar day. */
export function startOfDay(day: string): Date | undefined {
  const match = DAY.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const result = new Date(year, month - 1, date);
  // new Date rolls 2026-02-31 over into March; a rolled date is not the day that was asked for.
  if (result.getFullYear() !== year || result.getMonth() !== month - 1 || result.getDate() !== date) return undefined;
  return result;
}

/** Reads the filters from the query string; anything unreadable is dropped and explained, never silently ignored. */
export function parseRunFilters(params: URLSearchParams): { filters: RunFilters; problems: string[] } {
  const filters: RunFilters = {};
  const problems: string[] = [];
  const pipeline = params.get("pipeline");
  if (pipeline) {
    if (UUID.test(pipeline)) filters.pipelineId = pipeline.toLowerCase();
    else problems.push(`“${pipeline}” is not a pipeline id, so runs of every pipeline are shown.`);
  }
  const status = params.get("status");
  if (status) {
    if (isRunStatus(status)) filters.status = status;
    else problems.push(`“${status}” is not a run status, so runs of every status are shown.`);
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
  return { filters, problems };
}

/** The query string for a set of filters (empty ones left out), e.g. "?status=failed", or "" for none. */
export function runFiltersToSearch(filters: RunFilters): string {
  const params = new URLSearchParams();
  if (filters.pipelineId) params.set("pipeline", filters.pipelineId);
  if (filters.status) params.set("status", filters.status);
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  const search = params.toString();
  return search ? `?${search}` : "";
}

/** The `runs.list` input for the filters: whole days become the instants [from 00:00, day after `to` 00:00). */
export function runFiltersToInput(filters: RunFilters) {
  const from = filters.from ? startOfDay(filters.from) : undefined;
  const toDay = filters.to ? startOfDay(filters.to) : undefined;
  const to = toDay ? new Date(toDay.getFullYear(), toDay.getMonth(), toDay.getDate() + 1) : undefined;
  return {
    ...(filters.pipelineId ? { pipelineId: filters.pipelineId } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

export function hasFilters(filters: RunFilters): boolean {
  return Boolean(filters.pipelineId || filters.status || filters.from || filters.to);
}
