import type { NextConfig } from "next";
import { securityHeaders } from "./server/http/security-headers";

const nextConfig: NextConfig = {
  // Native and process-level packages stay outside the server bundles.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "ssh2", "ws"],
  poweredByHeader: false,
  typedRoutes: false,
  // Each page and route module is loaded on its first request instead of all at start: the
  // server answers /api/health 0.3-0.4 s sooner and holds 20-25 MB less until a page is visited;
  // a page's first visit pays its load once (50-70 ms more). bench/README.md, "Cold start".
  experimental: { preloadEntriesOnStart: false },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders(process.env.NODE_ENV === "development") }];
  },
};

export default nextConfig;
