import "server-only";
import { unprocessable } from "@/lib/errors";
import type { Workspace } from "@/server/db/generated/client";
import { transportFor } from "@/server/exec/transport-for";
import { cachedProbe } from "./cache";
import type { HostResources, MemoryFigures } from "@/lib/schemas/health";
import { parseMeminfo, parseResources, RESOURCES_SCRIPT } from "./parse";

const TTL_MS = 5_000;
const PROBE_TIMEOUT_MS = 20_000;

/** Runs a probe on the workspace's machine; one that cannot be reached is `workspace_unreachable`. */
function probeExec(workspace: Workspace, argv: string[]) {
  return transportFor(workspace).exec(argv, { cwd: "/", timeoutMs: PROBE_TIMEOUT_MS }).catch((error: unknown) => {
    throw unprocessable("workspace_unreachable", error instanceof Error ? error.message : String(error));
  });
}

/**
 * Memory, load, CPUs and GPUs of the machine a workspace lives on (for a container: as seen inside
 * it). `ttlMs`: how old a cached answer may be (placement asks for a fresh one: it also tells
 * whether the host answers).
 */
export function workspaceResources(workspace: Workspace, ttlMs = TTL_MS): Promise<HostResources> {
  return cachedProbe(`resources:${workspace.id}:${workspace.updatedAt.getTime()}`, ttlMs, async () => {
    const result = await probeExec(workspace, ["sh", "-c", RESOURCES_SCRIPT]);
    if (result.exitCode !== 0) throw unprocessable("workspace_unreachable", `The resource probe failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
    return parseResources(result.stdout);
  });
}

/**
 * Only the memory of the machine a workspace lives on (one `cat`): what a dispatch needs to admit
 * a task that wants no GPU. The full probe above starts five processes and, on a machine with
 * GPUs, nvidia-smi, which takes 0.1 s to seconds. Null where there is no /proc/meminfo.
 */
export function workspaceMemory(workspace: Workspace, ttlMs = TTL_MS): Promise<MemoryFigures | null> {
  return cachedProbe(`memory:${workspace.id}:${workspace.updatedAt.getTime()}`, ttlMs, async () => {
    const result = await probeExec(workspace, ["cat", "/proc/meminfo"]);
    return result.exitCode === 0 ? parseMeminfo(result.stdout) : null;
  });
}
