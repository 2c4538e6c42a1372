/**
 * Cross-site request checks for state-changing requests and WebSocket upgrades. A browser
 * always sends Origin on those; scripts (curl) send none and are let through. The Host must be
 * a name this server answers to, which also defeats DNS rebinding.
 */
import os from "node:os";
import { isLoopbackAddress } from "../auth/loopback";

export { isLoopbackAddress };

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

/** The machine's own addresses: the names a client may use when the server listens on all of them. */
function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .map((entry) => (entry?.family === "IPv6" ? `[${entry.address}]` : (entry?.address ?? "")))
    .filter(Boolean);
}

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
  /** Extra Host names (AI_SLAVE_ALLOWED_HOSTS), e.g. a reverse proxy's public name. */
  allowedHosts?: string[];
}

/**
 * A Host header this server answers to: loopback names, the bound address (each of the machine's
 * addresses when bound to all of them) and AI_SLAVE_ALLOWED_HOSTS; the port is not compared.
 * A missing Host counts as trusted here (in-process callers); the gate in server.ts refuses it.
 */
export function isTrustedHost(host: string | null, bindHost: string, allowedHosts: string[] = []): boolean {
  if (!host) return true;
  const name = hostName(host).toLowerCase();
  if (!name) return false;
  if (LOOPBACK_HOSTS.has(name) || isLoopbackAddress(name)) return true;
  const bind = bindHost.toLowerCase();
  const bound = bind.includes(":") && !bind.startsWith("[") ? `[${bind}]` : bind;
  if (name === bound) return true;
  if (allowedHosts.some((allowed) => hostName(allowed).toLowerCase() === name)) return true;
  return WILDCARD_HOSTS.has(bind) && interfaceAddresses().some((address) => address.toLowerCase() === name);
}

/** Returns null when allowed, else the reason for refusing. */
export function checkOrigin(input: OriginCheckInput): string | null {
  if (input.origin && input.allowedOrigins.includes(input.origin)) return null;
  if (!isTrustedHost(input.host, input.bindHost, input.allowedHosts)) return `Host "${input.host}" is not one this server answers to.`;
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
