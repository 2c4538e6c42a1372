import "server-only";
import os from "node:os";
import { BACKENDS, type Backend } from "@/lib/enums";
import { runnerCapabilitiesSchema, type AgentCapability, type RunnerCapabilities, type RunnerStatus } from "@/lib/schemas/health";
import { ADAPTERS } from "@/server/agents/registry";
import { cliVersion, resolveCli } from "@/server/exec/resolve-cli";
import { config } from "@/server/config";
import { db } from "@/server/db/client";
import { parseJson } from "@/server/db/serialize";
import { settings } from "@/server/settings";


export const LOCAL_RUNNER_NAME = "local";
const HEARTBEAT_MS = 15_000;

/** Finds each agent CLI the way the executor will, and asks it for its version. */
export async function probeCapabilities(): Promise<RunnerCapabilities> {
  const entries = await Promise.all(
    BACKENDS.map(async (backend): Promise<[Backend, AgentCapability]> => {
      const adapter = ADAPTERS[backend];
      const configuredPath = (await settings.cliPath(backend)) ?? undefined;
      const resolved = resolveCli(adapter, { configuredPath, projectRoot: config().projectRoot, envPath: process.env.PATH ?? "" });
      const version = resolved ? await cliVersion(resolved.path) : null;
      return [backend, { available: Boolean(resolved && version), path: resolved?.path ?? null, source: resolved?.source ?? null, version }];
    }),
  );
  return { agents: Object.fromEntries(entries) as Record<Backend, AgentCapability>, platform: `${os.platform()}-${os.arch()}`, node: process.version };
}

/** Registers (or refreshes) this server's local runner and returns its id. */
export async function registerLocalRunner(): Promise<number> {
  const capabilities = await probeCapabilities();
  const row = await db().runner.upsert({
    where: { name: LOCAL_RUNNER_NAME },
    create: {
      name: LOCAL_RUNNER_NAME,
      hostname: os.hostname(),
      pid: process.pid,
      capabilities: JSON.stringify(capabilities),
      maxConcurrency: config().runnerMaxConcurrency,
    },
    update: {
      hostname: os.hostname(),
      pid: process.pid,
      capabilities: JSON.stringify(capabilities),
      maxConcurrency: config().runnerMaxConcurrency,
      startedAt: new Date(),
      lastHeartbeatAt: new Date(),
    },
  });
  return row.id;
}

export function startHeartbeat(runnerId: number): () => void {
  const timer = setInterval(() => {
    db()
      .runner.update({ where: { id: runnerId }, data: { lastHeartbeatAt: new Date() } })
      .catch((error: unknown) => console.error("[runner] heartbeat failed", error));
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export async function localRunnerStatus(): Promise<RunnerStatus | null> {
  const row = await db().runner.findUnique({ where: { name: LOCAL_RUNNER_NAME } });
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    online: Date.now() - row.lastHeartbeatAt.getTime() < HEARTBEAT_MS * 3,
    lastHeartbeatAt: row.lastHeartbeatAt.toISOString(),
    maxConcurrency: row.maxConcurrency,
    capabilities: runnerCapabilitiesSchema.nullable().catch(null).parse(parseJson<unknown>(row.capabilities, null)),
  };
}
