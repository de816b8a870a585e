"use client";

import { RouteError } from "@/components/route-error";

export default function RunError({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError title="The run page failed to load" error={error} retry={retry} />;
}
