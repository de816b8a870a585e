"use client";

import { RouteError } from "@/components/route-error";

export default function AlertsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError title="The alerts page failed to load" error={error} retry={retry} />;
}
