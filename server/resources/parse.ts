/**
 * Pure parsers for what a host reports about itself: /proc/meminfo, /proc/loadavg, nproc,
 * `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`, `df -Pk`, `tmux -V`.
 * Unreadable input gives null (or no GPU), never an exception: a probe is best effort.
 */

import type { GpuFigures, HostResources, MemoryFigures } from "@/lib/schemas/health";

/** Fields of /proc/meminfo in bytes (the file says kB and means KiB). */
export function parseMeminfo(text: string): MemoryFigures | null {
  const fields = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([\w()]+):\s+(\d+)(\s+kB)?$/.exec(line.trim());
    if (match) fields.set(match[1]!, Number(match[2]) * (match[3] ? 1024 : 1));
  }
  const total = fields.get("MemTotal");
  if (!total) return null;
  // Kernels before 3.14 have no MemAvailable: estimate it the way `free` did.
  const available = fields.get("MemAvailable") ?? (fields.get("MemFree") ?? 0) + (fields.get("Buffers") ?? 0) + (fields.get("Cached") ?? 0);
  return { totalBytes: total, availableBytes: available, usedBytes: Math.max(0, total - available) };
}

export function parseLoadavg(text: string): [number, number, number] | null {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if ([one, five, fifteen].some((value) => value === undefined || !Number.isFinite(value))) return null;
  return [one!, five!, fifteen!];
}

export function parseCpuCount(text: string): number | null {
  const value = Number(text.trim());
  return Number.isInteger(value) && value > 0 ? value : null;
}

/** A number, or 0 for what nvidia-smi cannot report (`[N/A]`, `[Not Supported]`). */
function gpuNumber(text: string | undefined): number {
  const value = Number(text?.trim());
  return Number.isFinite(value) ? value : 0;
}

/** Rows of `index, name, memory.used, memory.total, utilization.gpu`; the name may hold commas. */
export function parseNvidiaSmi(text: string): GpuFigures[] {
  const gpus: GpuFigures[] = [];
  for (const line of text.split("\n")) {
    const cells = line.split(",").map((cell) => cell.trim());
    if (cells.length < 5) continue;
    const index = Number(cells[0]);
    if (!Number.isInteger(index)) continue;
    const [used, total, utilization] = cells.slice(-3);
    gpus.push({
      index,
      name: cells.slice(1, -3).join(", "),
      memoryUsedMiB: gpuNumber(used),
      memoryTotalMiB: gpuNumber(total),
      utilizationPct: gpuNumber(utilization),
    });
  }
  return gpus;
}

/** Available bytes from `df -Pk <path>` (POSIX format: 1024-byte blocks). */
export function parseDfAvailableBytes(text: string): number | null {
  const line = text.split("\n").find((row, index) => index > 0 && row.trim() !== "");
  const match = line ? /\s(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s/.exec(`${line} `) : null;
  return match ? Number(match[3]) * 1024 : null;
}

/** `tmux 3.3a` -> `3.3a`. */
export function parseTmuxVersion(text: string): string | null {
  const match = /^tmux\s+(\S+)/.exec(text.trim());
  return match ? match[1]! : null;
}

export const SECTION_SEPARATOR = "--ai-slave-section--";

/**
 * One command collects every figure, so a remote probe is one round trip: meminfo, loadavg,
 * the CPU count and nvidia-smi's CSV (nothing when there is no nvidia-smi), between separators.
 */
export const RESOURCES_SCRIPT = [
  "cat /proc/meminfo 2>/dev/null",
  `echo ${SECTION_SEPARATOR}`,
  "cat /proc/loadavg 2>/dev/null",
  `echo ${SECTION_SEPARATOR}`,
  "nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null",
  `echo ${SECTION_SEPARATOR}`,
  "if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi --query-gpu=index,name,memory.used,memory.total,utilization.gpu --format=csv,noheader,nounits 2>/dev/null; fi",
  "true",
].join("\n");

export function parseResources(output: string): HostResources {
  const [meminfo = "", loadavg = "", cpus = "", gpus = ""] = output.split(`${SECTION_SEPARATOR}\n`);
  return { memory: parseMeminfo(meminfo), load: parseLoadavg(loadavg), cpus: parseCpuCount(cpus), gpus: parseNvidiaSmi(gpus) };
}
