import "server-only";
import type { Transport } from "@/server/exec/transport";
import { settings } from "@/server/settings";
import type { AgentAdapter } from "./types";

/**
 * An agent's CLI on a workspace's machine: the settings for this machine (`cliPath.<backend>`)
 * and for that host (`remoteCliPath.<workspace>.<backend>`), then the machine's own lookup.
 */
export async function locateAgentCli(transport: Transport, adapter: Pick<AgentAdapter, "backend" | "cliName" | "binEnvVar">, workspaceId: number): Promise<string | null> {
  const [serverPath, hostPath] = await Promise.all([
    settings.cliPath(adapter.backend),
    settings.remoteCliPath(workspaceId, adapter.backend),
  ]);
  return transport.locateCli({ cliName: adapter.cliName, binEnvVar: adapter.binEnvVar, serverPath, hostPath });
}
