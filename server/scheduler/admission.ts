import "server-only";
import type { Workspace } from "@/server/db/generated/client";
import { parseJson } from "@/server/db/serialize";
import { workspaceMemory, workspaceResources } from "@/server/resources/resources";
import type { HostResources } from "@/lib/schemas/health";
import type { HostView } from "./admit";

/** A probe slower than this admits (memory unknown) rather than stall the dispatch pass; its answer is cached for the next. */
const PROBE_WAIT_MS = 3_000;
/** Pool members' answers are reused only this long: a host that stops answering is seen within a pass or two. */
export const MEMBER_PROBE_TTL_MS = 1_000;
/** A pool member whose probe failed or did not answer is left out of placement this long, then probed again. */
export const AWAY_MS = 15_000;

/**
 * Pool members that stopped answering (server/scheduler/placement.ts leaves them out). Owned by
 * the scheduler instance: a failed probe marks the workspace away until AWAY_MS have passed; the
 * next probe that answers brings it back.
 */
export class AwayHosts {
  private readonly until = new Map<number, number>();

  isAway(workspaceId: number, now: number): boolean {
    const until = this.until.get(workspaceId);
    if (until === undefined) return false;
    if (until > now) return true;
    this.until.delete(workspaceId);
    return false;
  }

  record(workspaceId: number, answered: boolean, now: number): void {
    if (answered) this.until.delete(workspaceId);
    else this.until.set(workspaceId, now + AWAY_MS);
  }
}

/** Workspaces on one machine share its GPUs. */
export function hostKeyOf(workspace: Pick<Workspace, "type" | "host" | "port">): string {
  return workspace.type === "local" ? "local" : `${workspace.host}:${workspace.port ?? 22}`;
}

/** The machine as a person names it: "this machine", or the SSH host. */
export function labelOf(workspace: Pick<Workspace, "type" | "host">): string {
  return workspace.type === "local" ? "this machine" : (workspace.host ?? "its host");
}

function awayView(workspace: Workspace): HostView {
  return { hostKey: hostKeyOf(workspace), label: labelOf(workspace), freeMemoryMb: null, minFreeMemoryMb: workspace.minFreeMemoryMb, gpus: null, allowedGpus: [], away: true };
}

/**
 * The hosts of the workspaces that have tasks due, from the resource probe (cached a few
 * seconds per workspace). Workspaces that check no memory and hand out no GPUs are not probed,
 * except pool members (`placing`), whose probe also says whether they answer (`away`).
 */
export async function hostViews(workspaces: Workspace[], due: Set<number>, wantGpus: Set<number>, placing: Set<number> = new Set(), away?: AwayHosts): Promise<Map<number, HostView>> {
  const views = new Map<number, HostView>();
  await Promise.all(
    workspaces
      .filter((workspace) => placing.has(workspace.id) || (due.has(workspace.id) && (workspace.minFreeMemoryMb > 0 || wantGpus.has(workspace.id))))
      .map(async (workspace) => {
        if (away?.isAway(workspace.id, Date.now())) {
          views.set(workspace.id, awayView(workspace));
          return;
        }
        const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), PROBE_WAIT_MS).unref());
        // Recorded when the probe settles, even after this pass moved on; a slow one is only left out of this pass.
        const note = (answered: boolean) => {
          if (placing.has(workspace.id)) away?.record(workspace.id, answered, Date.now());
        };
        // GPUs are read only for a workspace with a due task that wants some (nvidia-smi is slow to answer).
        const ttl = placing.has(workspace.id) ? MEMBER_PROBE_TTL_MS : undefined;
        const read: Promise<{ memory: HostResources["memory"]; gpus: HostResources["gpus"] | null }> = wantGpus.has(workspace.id)
          ? workspaceResources(workspace, ttl)
          : workspaceMemory(workspace, ttl).then((memory) => ({ memory, gpus: null }));
        const probe = read.then(
          (answer) => {
            note(true);
            return answer;
          },
          () => {
            note(false);
            return null;
          },
        );
        const resources = await Promise.race([probe, timeout]);
        views.set(workspace.id, {
          hostKey: hostKeyOf(workspace),
          label: labelOf(workspace),
          freeMemoryMb: resources?.memory ? Math.floor(resources.memory.availableBytes / (1024 * 1024)) : null,
          minFreeMemoryMb: workspace.minFreeMemoryMb,
          gpus: resources ? resources.gpus : null,
          allowedGpus: parseJson<number[]>(workspace.gpuIndices, []),
          away: placing.has(workspace.id) && resources === null,
        });
      }),
  );
  return views;
}

/** The GPU indices running tasks of this server hold, per host. */
export function heldGpus(running: { gpuIndices: string; workspace: Pick<Workspace, "type" | "host" | "port"> | null }[]): Map<string, Set<number>> {
  const held = new Map<string, Set<number>>();
  for (const task of running) {
    if (!task.workspace) continue;
    const key = hostKeyOf(task.workspace);
    const set = held.get(key) ?? new Set<number>();
    for (const index of parseJson<number[]>(task.gpuIndices, [])) set.add(index);
    held.set(key, set);
  }
  return held;
}
