import type { Metadata } from "next";
import { CONTROL_ROOM_REFRESH_MS, ControlRoomWall } from "@/components/dashboards/control-room";
import { PipelineDashboard } from "@/components/dashboards/pipeline-dashboard";
import { RefreshEvery } from "@/components/dashboards/refresh-every";
import { ShareSamples } from "@/components/dashboards/share-samples";
import { DashboardHeader, DashboardSurface } from "@/components/dashboards/surface";
import { formatDateTime } from "@/components/format";
import { LogoIcon } from "@/components/icons";
import { getPool, getPrisma } from "@/server/db/client";
import { viewShare } from "@/server/services/shares";

// The secret is in the path: no search engine keeps it, and no request this page makes sends it on.
export const metadata: Metadata = { title: "Shared dashboard", robots: { index: false, follow: false }, referrer: "no-referrer" };
export const dynamic = "force-dynamic";

const UNAVAILABLE = {
  revoked: { title: "This link was revoked", text: "Whoever shared this dashboard has turned the link off. Ask them for a new one if you still need it." },
  expired: { title: "This link has expired", text: "The link was shared until a set date, which has passed. Ask whoever shared it for a new one." },
  unknown: { title: "This link is not valid", text: "Check that the whole link was copied; otherwise ask whoever shared it for a new one." },
} as const;

const BRAND = (
  <span className="flex items-center gap-1.5 text-sm font-semibold text-sky-700 dark:text-sky-400">
    <LogoIcon className="size-4" /> Sluice
  </span>
);

/** A shared pipeline dashboard or control room: no account, no navigation, no controls; it refreshes itself. */
export default async function SharedDashboardPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const view = await viewShare({ prisma: getPrisma(), pool: getPool() }, token);
  if (view.state !== "active") {
    const { title, text } = UNAVAILABLE[view.state];
    return (
      <DashboardSurface>
        <section className="mx-auto mt-24 max-w-md rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm dark:border-slate-700 dark:bg-slate-900">
          <LogoIcon className="mx-auto mb-3 size-6 text-sky-700 dark:text-sky-400" />
          <h1 className="text-lg font-semibold">{title}</h1>
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">{text}</p>
        </section>
      </DashboardSurface>
    );
  }
  const until = view.expiresAt ? ` The link works until ${formatDateTime(view.expiresAt)}.` : "";
  if (view.kind === "control-room") {
    return (
      <DashboardSurface>
        <DashboardHeader
          title={`Control room · ${view.workspace}`}
          description={<>A read-only overview shared from Sluice: every pipeline&apos;s health, worst first, refreshed every few seconds.{until}</>}
          actions={BRAND}
        />
        {view.pipelines.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">This workspace has no pipelines yet.</p>
        ) : (
          <ControlRoomWall pipelines={view.pipelines} status={`Live · updated ${view.updatedAt.toLocaleTimeString("en-GB", { timeZone: "UTC" })} UTC`} links={false} />
        )}
        <RefreshEvery ms={CONTROL_ROOM_REFRESH_MS} />
      </DashboardSurface>
    );
  }
  const { dashboard, samples } = view;
  return (
    <DashboardSurface>
      <DashboardHeader
        title={dashboard.pipeline.name}
        description={
          <>
            A read-only dashboard shared from Sluice: the last 30 days of runs, refreshed every 30 seconds.
            {until}
          </>
        }
        actions={BRAND}
      />
      <PipelineDashboard data={dashboard} links={false} />
      {samples ? <ShareSamples samples={samples} /> : null}
      <RefreshEvery ms={30_000} />
    </DashboardSurface>
  );
}
