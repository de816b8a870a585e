"use client";

import { RouteError } from "@/components/route-error";

export default function SettingsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError title="The settings page failed to load" error={error} retry={retry} />;
}
