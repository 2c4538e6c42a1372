import "server-only";
import { unprocessable } from "@/lib/errors";
import type { Workspace } from "@/server/db/generated/client";
import { transportFor } from "@/server/exec/transport-for";
import { cachedProbe } from "./cache";
import type { HostResources } from "@/lib/schemas/health";
import { parseResources, RESOURCES_SCRIPT } from "./parse";

const TTL_MS = 5_000;
const PROBE_TIMEOUT_MS = 20_000;

/**
 * Memory, load, CPUs and GPUs of the machine a workspace lives on (for a container: as seen inside
 * it). `ttlMs`: how old a cached answer may be (placement asks for a fresh one: it also tells
 * whether the host answers).
 */
export function workspaceResources(workspace: Workspace, ttlMs = TTL_MS): Promise<HostResources> {
  return cachedProbe(`resources:${workspace.id}:${workspace.updatedAt.getTime()}`, ttlMs, async () => {
    const transport = transportFor(workspace);
    const result = await transport.exec(["sh", "-c", RESOURCES_SCRIPT], { cwd: "/", timeoutMs: PROBE_TIMEOUT_MS }).catch((error: unknown) => {
      throw unprocessable("workspace_unreachable", error instanceof Error ? error.message : String(error));
    });
    if (result.exitCode !== 0) throw unprocessable("workspace_unreachable", `The resource probe failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
    return parseResources(result.stdout);
  });
}
