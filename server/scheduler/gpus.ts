import type { GpuFigures } from "@/lib/schemas/health";

/** A GPU counts as free below both: memory in use (share of its total) and utilisation (percent). */
export const GPU_FREE_MEMORY_SHARE = 0.2;
export const GPU_FREE_UTILIZATION_PCT = 20;

/** Whether nvidia-smi's figures say nobody is using the GPU to speak of. */
export function gpuIdle(gpu: GpuFigures): boolean {
  const memoryShare = gpu.memoryTotalMiB > 0 ? gpu.memoryUsedMiB / gpu.memoryTotalMiB : 1;
  return memoryShare < GPU_FREE_MEMORY_SHARE && gpu.utilizationPct < GPU_FREE_UTILIZATION_PCT;
}

/**
 * `count` GPU indices for a task (pure): among the host's GPUs the workspace may hand out
 * (`allowed`, empty: all), none another running task of this server holds, each idle by
 * nvidia-smi; the least busy first. Null when there are not enough.
 */
export function pickGpus(count: number, gpus: GpuFigures[], allowed: readonly number[], held: ReadonlySet<number>): number[] | null {
  if (count <= 0) return [];
  const free = gpus
    .filter((gpu) => (allowed.length === 0 || allowed.includes(gpu.index)) && !held.has(gpu.index) && gpuIdle(gpu))
    .sort((a, b) => a.utilizationPct - b.utilizationPct || a.memoryUsedMiB - b.memoryUsedMiB || a.index - b.index);
  if (free.length < count) return null;
  return free.slice(0, count).map((gpu) => gpu.index).sort((a, b) => a - b);
}
