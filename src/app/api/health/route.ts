import { getPool } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** Liveness and database reachability, for load balancers and the test harness. */
export async function GET() {
  try {
    await getPool().query("SELECT 1");
    return Response.json({ status: "ok" });
  } catch (error) {
    return Response.json(
      { status: "unavailable", error: error instanceof Error ? error.message : String(error) },
      { status: 503 },
    );
  }
}
