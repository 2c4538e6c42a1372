"use client";

import useSWR from "swr";
import type { Backend } from "@/lib/enums";

/** GET /api/workspaces/:id/health */
export interface WorkspaceHealth {
  reachable: boolean;
  isGitRepo: boolean;
  baseBranch: string | null;
  /** tmux's version; null when there is none. */
  tmux: string | null;
  agents: Partial<Record<Backend, { available: boolean; version: string | null }>>;
  freeDiskBytes: number | null;
  error?: string | null;
  /** The SSH host key the server trusts for the host, for the user to compare. */
  hostKey?: { fingerprint: string; source: string } | null;
}

/** GET /api/workspaces/:id/resources */
export interface WorkspaceResources {
  memory: { totalBytes: number; usedBytes: number; availableBytes: number } | null;
  load: number[] | null;
  cpus: number | null;
  gpus: { index: number; name: string; memoryUsedMiB: number; memoryTotalMiB: number; utilizationPct: number }[];
}

export const workspaceHealthKey = (id: number) => `/api/workspaces/${id}/health`;

/** Health probes can be slow over SSH: checked once a minute, not on every focus. */
export function useWorkspaceHealth(id: number | null) {
  const { data, error, isLoading, isValidating, mutate } = useSWR<WorkspaceHealth>(id ? workspaceHealthKey(id) : null, {
    refreshInterval: 60_000,
    revalidateOnFocus: false,
  });
  return { health: data, error, isLoading, isValidating, mutate };
}

export function useWorkspaceResources(id: number | null) {
  const { data, error, isLoading } = useSWR<WorkspaceResources>(id ? `/api/workspaces/${id}/resources` : null, {
    refreshInterval: 15_000,
    revalidateOnFocus: false,
  });
  return { resources: data, error, isLoading };
}
