import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { ServerConfig } from "../config";
import { terminalEndpoint, terminalTaskId } from "../terminal/endpoint-registry";
import type { Gate } from "./gate";
import { checkOrigin } from "./origin";

type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void> | void;

/**
 * Routes WebSocket upgrades: every one passes the gate (Host, token); our own endpoints then an
 * Origin check, everything else goes to Next (dev HMR).
 */
export function attachUpgradeHandler(server: Server, nextUpgrade: UpgradeHandler, settings: ServerConfig, gate: Gate): void {
  server.on("upgrade", (request, socket, head) => {
    const refusedByGate = gate.checkUpgrade(request, socket);
    if (refusedByGate) {
      socket.end(refusedByGate);
      return;
    }
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://localhost");
    } catch {
      socket.end("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nThe request URL is not valid.\n");
      return;
    }
    if (!url.pathname.startsWith("/api/")) {
      void nextUpgrade(request, socket, head);
      return;
    }
    const refused = checkOrigin({
      origin: request.headers.origin ?? null,
      host: request.headers.host ?? null,
      secFetchSite: (request.headers["sec-fetch-site"] as string | undefined) ?? null,
      allowedOrigins: settings.allowedOrigins,
      bindHost: settings.host,
      allowedHosts: settings.allowedHosts,
    });
    if (refused) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n${refused}\n`);
      return;
    }
    const taskId = terminalTaskId(url.pathname);
    if (taskId !== null) {
      const terminal = terminalEndpoint();
      if (terminal) return terminal(request, socket, head, taskId);
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nThe terminal is not ready yet.\n");
      return;
    }
    socket.end("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nNo such WebSocket endpoint.\n");
  });
}
