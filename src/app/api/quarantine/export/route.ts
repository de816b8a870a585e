import { z } from "zod";
import { parseQuarantineFilters, quarantineFiltersToInput } from "@/components/quarantine/filters";
import { csvDownload } from "@/server/http/web-stream";
import { ApiError, badRequest } from "@/server/rest/errors";
import { errorResponse } from "@/server/rest/respond";
import { authorizeSession } from "@/server/rest/session";
import { exportQuarantineCsv, ZQuarantineFilter } from "@/server/services/quarantine";

export const dynamic = "force-dynamic";

const ZInstant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

/**
 * `GET /api/quarantine/export?<the quarantine screen's filters>` → the matching records as a
 * CSV download, streamed from PostgreSQL. Days are local to the browser, so the screen sends
 * the date range as instants: `fromAt` and `toAt` (exclusive).
 */
export async function GET(request: Request) {
  let ctx;
  try {
    ctx = await authorizeSession(request, "viewer");
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    throw error;
  }
  const params = new URL(request.url).searchParams;
  const { filters, problems } = parseQuarantineFilters(params);
  const from = params.get("fromAt") ? ZInstant.safeParse(params.get("fromAt")) : undefined;
  const to = params.get("toAt") ? ZInstant.safeParse(params.get("toAt")) : undefined;
  if (from && !from.success) problems.push(`“${params.get("fromAt")}” is not an ISO 8601 instant (fromAt).`);
  if (to && !to.success) problems.push(`“${params.get("toAt")}” is not an ISO 8601 instant (toAt).`);
  if (problems.length > 0) {
    return errorResponse(badRequest(`Nothing was exported; fix the address and try again. ${problems.join(" ")}`));
  }
  const filter = ZQuarantineFilter.parse({
    ...quarantineFiltersToInput({ ...filters, from: undefined, to: undefined }),
    ...(from?.success ? { from: from.data } : {}),
    ...(to?.success ? { to: to.data } : {}),
  });
  const stream = await exportQuarantineCsv(ctx, filter);
  const name = `quarantine${filters.runId ? `-${filters.runId.slice(0, 8)}` : ""}-${new Date().toISOString().slice(0, 10)}.csv`;
  return csvDownload(stream, name);
}
