"use client";

/**
 * Replaces the root layout when the layout itself fails, so nothing from it (styles, fonts, nav)
 * can be relied on: plain inline styles only.
 */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = typeof error === "object" && error !== null && "digest" in error && typeof error.digest === "string" ? error.digest : undefined;
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", margin: 0, padding: "4rem 1.5rem", background: "#f8fafc", color: "#0f172a" }}>
        <title>Sluice is unavailable</title>
        <main role="alert" style={{ maxWidth: "36rem", margin: "0 auto" }}>
          <h1 style={{ fontSize: "1.5rem" }}>Sluice could not start this page</h1>
          <p>
            {error instanceof Error && error.message ? error.message : "An unexpected error stopped the application shell from rendering."}
            {digest ? ` (reference ${digest} in the server log)` : ""}
          </p>
          <p>If the server was restarting, trying again usually works.</p>
          <button
            type="button"
            onClick={() => retry()}
            style={{ padding: "0.5rem 1rem", borderRadius: "0.375rem", border: "1px solid #0369a1", background: "#0369a1", color: "white", cursor: "pointer" }}
          >
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
