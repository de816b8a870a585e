"use client";

import { RouteError } from "@/components/route-error";

export default function DashboardsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError title="The dashboards page failed to load" error={error} retry={retry} />;
}
