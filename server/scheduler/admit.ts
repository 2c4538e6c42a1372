import type { GpuFigures } from "@/lib/schemas/health";
import { pickGpus } from "./gpus";

/**
 * What admission needs of a workspace's host, probed for workspaces with tasks due (a missing
 * entry admits). Workspaces on one machine share its `hostKey`, and so its GPUs.
 */
export interface HostView {
  hostKey: string;
  /** "this machine" or the SSH host, for the waiting reason. */
  label: string;
  /** MB available now; null: unknown (the probe failed or timed out), which admits. */
  freeMemoryMb: number | null;
  minFreeMemoryMb: number;
  /** nvidia-smi's figures; null: unknown. */
  gpus: GpuFigures[] | null;
  /** The indices the workspace may hand out (empty: all). */
  allowedGpus: number[];
  /** The host did not answer its latest probe: placement leaves it out until it answers again. */
  away?: boolean;
}

export type Admission = { gpuIndices: number[] | null } | { reason: string };

/**
 * Whether a task asking for `want` GPUs may start on the host now: memory, then GPUs, taken
 * from those not in `taken` (the caller records the ones it hands out).
 */
export function admit(want: number, host: HostView | undefined, taken: ReadonlySet<number>): Admission {
  if (!host) return { gpuIndices: null };
  if (host.minFreeMemoryMb > 0 && host.freeMemoryMb !== null && host.freeMemoryMb < host.minFreeMemoryMb) {
    return { reason: `Waiting for memory on ${host.label}: an agent starts there once ${host.minFreeMemoryMb} MB are free.` };
  }
  if (want === 0) return { gpuIndices: null };
  const picked = host.gpus ? pickGpus(want, host.gpus, host.allowedGpus, taken) : null;
  if (!picked) return { reason: `Waiting for ${want} idle GPU${want === 1 ? "" : "s"} on ${host.label}.` };
  return { gpuIndices: picked };
}
