import "server-only";
import type { Workspace } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import { workspaceResources } from "@/server/resources/resources";
import type { HostView } from "./plan";

/** A probe slower than this admits (memory unknown) rather than stall the dispatch pass; its answer is cached for the next. */
const PROBE_WAIT_MS = 3_000;

/** Workspaces on one machine share its GPUs. */
export function hostKeyOf(workspace: Pick<Workspace, "type" | "host" | "port">): string {
  return workspace.type === "local" ? "local" : `${workspace.host}:${workspace.port ?? 22}`;
}

function labelOf(workspace: Pick<Workspace, "type" | "host">): string {
  return workspace.type === "local" ? "this machine" : (workspace.host ?? "its host");
}

/**
 * The hosts of the workspaces that have tasks due, from the resource probe (cached a few
 * seconds per workspace). Workspaces that check no memory and hand out no GPUs are not probed.
 */
export async function hostViews(workspaces: Workspace[], due: Set<number>, wantGpus: Set<number>): Promise<Map<number, HostView>> {
  const views = new Map<number, HostView>();
  await Promise.all(
    workspaces
      .filter((workspace) => due.has(workspace.id) && (workspace.minFreeMemoryMb > 0 || wantGpus.has(workspace.id)))
      .map(async (workspace) => {
        const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), PROBE_WAIT_MS).unref());
        const resources = await Promise.race([workspaceResources(workspace).catch(() => null), timeout]);
        views.set(workspace.id, {
          hostKey: hostKeyOf(workspace),
          label: labelOf(workspace),
          freeMemoryMb: resources?.memory ? Math.floor(resources.memory.availableBytes / (1024 * 1024)) : null,
          minFreeMemoryMb: workspace.minFreeMemoryMb,
          gpus: resources ? resources.gpus : null,
          allowedGpus: parseJson<number[]>(workspace.gpuIndices, []),
        });
      }),
  );
  return views;
}

/** The GPU indices running tasks of this server hold, per host. */
export function heldGpus(running: { gpuIndices: string; workspace: Pick<Workspace, "type" | "host" | "port"> }[]): Map<string, Set<number>> {
  const held = new Map<string, Set<number>>();
  for (const task of running) {
    const key = hostKeyOf(task.workspace);
    const set = held.get(key) ?? new Set<number>();
    for (const index of parseJson<number[]>(task.gpuIndices, [])) set.add(index);
    held.set(key, set);
  }
  return held;
}
