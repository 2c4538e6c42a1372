/** What server.ts checks and says about access before it listens. Pure: config in, verdict out. */
import { isLoopbackAddress } from "./loopback";

export interface AccessSettings {
  host: string;
  port: number;
  auth: "token" | "off";
}

export interface AccessVerdict {
  /** Set when the server must not start. */
  error?: string;
  warnings: string[];
}

export function accessCheck(settings: AccessSettings): AccessVerdict {
  const loopback = isLoopbackAddress(settings.host);
  if (settings.auth === "off" && !loopback) {
    return {
      error: `AI_SLAVE_AUTH=off is refused with HOST=${settings.host}: without the token anyone who reaches ${settings.host}:${settings.port} could run commands on your machines. Use a loopback HOST (127.0.0.1) or keep the token on.`,
      warnings: [],
    };
  }
  const warnings: string[] = [];
  if (!loopback) {
    warnings.push(
      `WARNING: listening on ${settings.host}:${settings.port}, not only on this machine's loopback: anyone who can reach that address and has the token can run commands here. Prefer HOST=127.0.0.1 behind a TLS reverse proxy.`,
    );
  }
  if (settings.auth === "off") warnings.push("WARNING: AI_SLAVE_AUTH=off: every local user and process of this machine can use the API without a token.");
  return { warnings };
}

/** The browser address of the server: a wildcard bind is reached through loopback. */
export function baseUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" || host === "::" || host === "[::]" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") && !reachable.startsWith("[") ? `[${reachable}]` : reachable}:${port}`;
}

export function loginUrl(host: string, port: number, token: string, next?: string): string {
  const query = new URLSearchParams({ token, ...(next ? { next } : {}) });
  return `${baseUrl(host, port)}/login?${query.toString()}`;
}
