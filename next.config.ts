import type { NextConfig } from "next";
import { securityHeaders } from "./server/http/security-headers";

const nextConfig: NextConfig = {
  // Native and process-level packages stay outside the server bundles.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "ssh2", "ws"],
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders(process.env.NODE_ENV === "development") }];
  },
};

export default nextConfig;
