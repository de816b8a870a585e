import { auditCsvResponse, ZAuditQuery } from "@/server/audit/list";
import { ApiError, badRequest } from "@/server/rest/errors";
import { errorResponse } from "@/server/rest/respond";
import { authorizeSession } from "@/server/rest/session";

export const dynamic = "force-dynamic";

/** `GET /api/audit/export?action=&actor=&from=&to=` → the Settings page's filtered audit log as CSV, for the signed-in owner (REST callers use /api/v1/audit.csv). */
export async function GET(request: Request) {
  let ctx;
  try {
    ctx = await authorizeSession(request, "owner");
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    throw error;
  }
  const params = new URL(request.url).searchParams;
  const filters = ZAuditQuery.omit({ before: true, limit: true }).safeParse(Object.fromEntries([...params].filter(([, value]) => value !== "")));
  if (!filters.success) {
    return errorResponse(badRequest(`Nothing was exported; fix the filters and try again. ${filters.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join(" ")}`));
  }
  return auditCsvResponse(ctx, filters.data);
}
