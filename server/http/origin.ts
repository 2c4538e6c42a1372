/**
 * Cross-site request checks for state-changing requests and WebSocket upgrades. A browser
 * always sends Origin on those; scripts (curl) send none and are let through. The Host must be
 * a name this server answers to, which also defeats DNS rebinding.
 */

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  return hostHeader.split(":")[0] ?? "";
}

export interface OriginCheckInput {
  origin: string | null;
  host: string | null;
  secFetchSite: string | null;
  /** Extra allowed origins (AI_SLAVE_ALLOWED_ORIGINS) and the configured bind host. */
  allowedOrigins: string[];
  bindHost: string;
}

export function isTrustedHost(host: string | null, bindHost: string): boolean {
  if (!host) return true;
  const name = hostName(host).toLowerCase();
  return LOOPBACK_HOSTS.has(name) || name === bindHost.toLowerCase() || (bindHost === "0.0.0.0" && name.length > 0);
}

/** Returns null when allowed, else the reason for refusing. */
export function checkOrigin(input: OriginCheckInput): string | null {
  if (input.origin && input.allowedOrigins.includes(input.origin)) return null;
  if (!isTrustedHost(input.host, input.bindHost)) return `Host "${input.host}" is not one this server answers to.`;
  if (input.secFetchSite === "cross-site") return "Cross-site requests are refused.";
  if (!input.origin) return null;
  let originHost: string;
  try {
    originHost = new URL(input.origin).host;
  } catch {
    return `Origin "${input.origin}" is not a URL.`;
  }
  if (originHost.toLowerCase() !== (input.host ?? "").toLowerCase()) return `Origin ${input.origin} may not act on this server.`;
  return null;
}
