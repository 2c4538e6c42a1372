/**
 * AI-Slave's one process: serves Next (pages, REST API, SSE) and attaches the terminal
 * WebSocket to the same HTTP server. `tsx server.ts --dev` for development; for production, after
 * `next build`, scripts/bundle-server.mjs bundles this file to .next/ai-slave-server.mjs and plain
 * `node` runs that. Binds to 127.0.0.1 unless HOST says otherwise.
 */
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import nextEnv from "@next/env";
import next from "next";
import { createTokenSource } from "./server/auth/token";
import { accessCheck, baseUrl, loginUrl } from "./server/auth/startup";
import { applyCompressionPolicy } from "./server/http/compression";
import { createGate } from "./server/http/gate";
import { attachUpgradeHandler } from "./server/http/upgrade";
import { startIdleGc } from "./server/idle-gc";

const dev = process.argv.includes("--dev");
nextEnv.loadEnvConfig(process.cwd(), dev);
// With source maps on (tsx turns them on), Node parses and keeps the map (sources included) of
// every Next server chunk it loads: tens of MB of strings at idle (a heap snapshot). Production
// stack traces point into .next/ instead; AI_SLAVE_SOURCE_MAPS=1 turns them on.
if (!dev) process.setSourceMapsEnabled(process.env.AI_SLAVE_SOURCE_MAPS === "1");

/**
 * Production serves the config `next build` resolved (.next/required-server-files.json), the way
 * Next's own standalone server does, instead of loading next.config.ts again: compiling a
 * TypeScript config loads Next's SWC compiler, 26 MB of native code resident for nothing at run
 * time (bench/README.md, "Idle memory"). Without that file (an older build) Next loads the config.
 */
function useBuiltNextConfig(projectRoot: string): void {
  try {
    const built = JSON.parse(readFileSync(path.join(projectRoot, ".next", "required-server-files.json"), "utf8")) as { config?: object };
    if (built.config) process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(built.config);
  } catch {
    // Next reads next.config.ts itself.
  }
}

async function main(): Promise<void> {
  const { loadConfig } = await import("./server/config");
  const { migrateDatabase } = await import("./server/db/migrate");
  const settings = loadConfig();
  const access = accessCheck(settings);
  if (access.error) throw new Error(access.error);
  for (const warning of access.warnings) console.warn(`[ai-slave] ${warning}`);
  const tokens = createTokenSource({ envToken: settings.envToken, file: settings.tokenFile, authOff: settings.auth === "off" });
  // Notices a rotation (`npm run token -- --rotate`) even while no request comes in.
  setInterval(() => tokens.current(), 1000).unref();
  const gate = createGate({ bindHost: settings.host, allowedHosts: settings.allowedHosts, tokens });
  const migrations = migrateDatabase(settings.databaseFile, path.join(settings.projectRoot, "prisma", "migrations"));
  if (migrations.applied.length > 0) console.log(`[ai-slave] applied migrations: ${migrations.applied.join(", ")}`);

  // On its first request Next adds an 'upgrade' listener of its own to the server it was given (or
  // the request's), which ends every socket it does not know: the terminal's among them. It gets a
  // sink instead; the hook below routes all upgrades and hands Next its own (dev HMR).
  const upgradeSink = new EventEmitter() as unknown as Server;
  if (!dev) useBuiltNextConfig(settings.projectRoot);
  const app = next({ dev, hostname: settings.host, port: settings.port, httpServer: upgradeSink });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((request, response) => {
    if (gate.handle(request, response)) return;
    applyCompressionPolicy(request);
    void handle(request, response);
  });
  // An idle keep-alive connection is closed after 65 s, not Node's 5 s: a client that sends on a
  // connection just as the server closes it gets ECONNRESET (a script's request, seen in a browser
  // test), and clients keep idle connections for less than that (undici 4 s, browsers seconds).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  attachUpgradeHandler(server, app.getUpgradeHandler(), settings, gate);
  // What a burst of work left in the heap is collected once the server is quiet again.
  startIdleGc();

  server.listen(settings.port, settings.host, () => {
    console.log(`[ai-slave] ready on ${baseUrl(settings.host, settings.port)} (${dev ? "development" : "production"})`);
    const token = tokens.current();
    if (token === null) return;
    if (tokens.fromEnv) console.log(`[ai-slave] log in at ${baseUrl(settings.host, settings.port)}/login with the token in AI_SLAVE_TOKEN`);
    else console.log(`[ai-slave] log in: ${loginUrl(settings.host, settings.port, token)}`);
  });

  const shutdown = async (signal: string) => {
    console.log(`[ai-slave] ${signal}: shutting down`);
    const { stopServices } = await import("./server/shutdown");
    const { detached } = await stopServices();
    console.log(`[ai-slave] stopped: ${detached} agent(s) left running in their tmux sessions; the next start re-attaches to them.`);
    server.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  console.error("[ai-slave] failed to start", error);
  process.exit(1);
});
