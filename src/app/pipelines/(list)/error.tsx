"use client";

import { RouteError } from "@/components/route-error";

export default function PipelinesError({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError title="The pipelines page failed to load" error={error} retry={retry} />;
}
