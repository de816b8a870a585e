"use client";

import { useEffect } from "react";
import { ErrorState } from "./error-state";
import { PageBody } from "./page-header";

/** What a route's error.tsx shows: the message (server errors carry only a digest in production) and a retry. */
export function RouteError({ title, error, retry }: { title: string; error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = typeof error === "object" && error !== null && "digest" in error && typeof error.digest === "string" ? error.digest : undefined;
  const message =
    error instanceof Error && error.message
      ? error.message
      : "An unexpected error stopped this page from rendering.";
  return (
    <PageBody>
      <ErrorState
        title={title}
        message={digest ? `${message}\nThe server log has the details under reference ${digest}.` : message}
        onRetry={retry}
      />
    </PageBody>
  );
}
