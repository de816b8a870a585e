"use client";

import { RouteError } from "@/components/route-error";

export default function RunsError({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError title="The runs page failed to load" error={error} retry={retry} />;
}
