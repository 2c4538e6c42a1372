import { admit, type HostView } from "./admit";
import { gpuIdle } from "./gpus";

/** A pool as the dispatcher sees it: its members in a stable order. */
export interface PoolView {
  name: string;
  members: { id: number; name: string }[];
}

/** A member's slots now (this pass's starts included) and its host, probed (undefined: not probed, which admits). */
export interface MemberState {
  used: number;
  limit: number;
  host: HostView | undefined;
  /** When this server last placed a task on it, as a rising count (0: never). */
  lastPlaced?: number;
}

/** Free memory within this share of the most any candidate has counts as the same: probes of like hosts differ by noise. */
const MEMORY_TIE_SHARE = 0.05;

export type Placement = { workspaceId: number; gpuIndices: number[] | null; message: string } | { reason: string };

interface Candidate {
  id: number;
  name: string;
  state: MemberState;
  gpuIndices: number[] | null;
}

function gb(mb: number): string {
  return `${(mb / 1024).toFixed(mb < 10 * 1024 ? 1 : 0)} GB free`;
}

/** "placed on gpu-box-2 (10.0.0.7): 1/3 slots used, 41 GB free, GPU 1 idle": the run log's line. */
function placedMessage(chosen: Candidate, poolName: string): string {
  const { used, limit, host } = chosen.state;
  const parts = [`${used + 1}/${limit} slots used`, host?.freeMemoryMb != null ? gb(host.freeMemoryMb) : "free memory unknown"];
  if (chosen.gpuIndices && chosen.gpuIndices.length > 0) parts.push(`GPU${chosen.gpuIndices.length === 1 ? "" : "s"} ${chosen.gpuIndices.join(", ")} idle`);
  const where = host && host.label !== chosen.name ? `${chosen.name} (${host.label})` : chosen.name;
  return `Placed on ${where} from pool ${poolName}: ${parts.join(", ")}.`;
}

/** Idle GPUs the member could still hand out: the tie-break for a task that asks for GPUs. */
function idleGpus(host: HostView | undefined, taken: ReadonlySet<number>): number {
  if (!host?.gpus) return 0;
  return host.gpus.filter((gpu) => (host.allowedGpus.length === 0 || host.allowedGpus.includes(gpu.index)) && !taken.has(gpu.index) && gpuIdle(gpu)).length;
}

/**
 * The member a pool task starts on (pure): among those with a free slot that answered their
 * latest probe and admit it (memory, GPUs), the one with the most free slots, then the most
 * free memory (unknown counts least; within 5% of the most counts as equal), then, for a task
 * asking for GPUs, the most idle GPUs, then the one placed on least recently. Without that last
 * step, like hosts whose memory readings differ by noise gave every tie to the same host.
 * Otherwise why not, in words shared by every task of the pool waiting on the same thing.
 */
export function placeOnPool(want: number, pool: PoolView, stateOf: (workspaceId: number) => MemberState, held: ReadonlyMap<string, ReadonlySet<number>>): Placement {
  const none = new Set<number>();
  const members = pool.members.map((member) => ({ ...member, state: stateOf(member.id) }));
  const open = members.filter((member) => member.state.used < member.state.limit);
  if (open.length === 0) return { reason: `Waiting for a free slot in pool ${pool.name}: all ${members.length} member${members.length === 1 ? " is" : "s are"} busy.` };
  const answering = open.filter((member) => !member.state.host?.away);
  if (answering.length === 0) {
    return { reason: `Waiting for pool ${pool.name}: the members with a free slot do not answer (${open.map((member) => member.name).join(", ")}).` };
  }
  const refused: string[] = [];
  const admitted: Candidate[] = [];
  for (const member of answering) {
    const host = member.state.host;
    const admission = admit(want, host, (host && held.get(host.hostKey)) ?? none);
    if ("reason" in admission) refused.push(admission.reason.replace(/^Waiting for /, "").replace(/\.$/, ""));
    else admitted.push({ ...member, gpuIndices: admission.gpuIndices });
  }
  if (admitted.length === 0) return { reason: `Waiting for room in pool ${pool.name}: ${refused.join("; ")}.` };
  const memory = (candidate: Candidate) => candidate.state.host?.freeMemoryMb ?? -1;
  const most = Math.max(...admitted.map(memory));
  // Near the most: one tier, ordered by what follows; below it, by memory itself.
  const memoryRank = (candidate: Candidate) => (most >= 0 && memory(candidate) >= most * (1 - MEMORY_TIE_SHARE) ? most : memory(candidate));
  const taken = (candidate: Candidate) => (candidate.state.host && held.get(candidate.state.host.hostKey)) ?? none;
  admitted.sort(
    (a, b) =>
      b.state.limit - b.state.used - (a.state.limit - a.state.used) ||
      memoryRank(b) - memoryRank(a) ||
      (want > 0 ? idleGpus(b.state.host, taken(b)) - idleGpus(a.state.host, taken(a)) : 0) ||
      (a.state.lastPlaced ?? 0) - (b.state.lastPlaced ?? 0),
  );
  const chosen = admitted[0]!;
  return { workspaceId: chosen.id, gpuIndices: chosen.gpuIndices, message: placedMessage(chosen, pool.name) };
}
