import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and process-level packages stay outside the server bundles.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "ssh2", "ws"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
