"use client";

import useSWR from "swr";
import { fetcherFor } from "@/lib/api-client";
import { hostResourcesSchema, workspaceHealthSchema } from "@/lib/schemas/health";

export type { HostResources as WorkspaceResources, WorkspaceHealth } from "@/lib/schemas/health";

export const workspaceHealthKey = (id: number) => `/api/workspaces/${id}/health`;

/** Health probes can be slow over SSH: checked once a minute, not on every focus. */
export function useWorkspaceHealth(id: number | null) {
  const { data, error, isLoading, isValidating, mutate } = useSWR(id ? workspaceHealthKey(id) : null, fetcherFor(workspaceHealthSchema), {
    refreshInterval: 60_000,
    revalidateOnFocus: false,
  });
  return { health: data, error, isLoading, isValidating, mutate };
}

export function useWorkspaceResources(id: number | null) {
  const { data, error, isLoading } = useSWR(id ? `/api/workspaces/${id}/resources` : null, fetcherFor(hostResourcesSchema), {
    refreshInterval: 15_000,
    revalidateOnFocus: false,
  });
  return { resources: data, error, isLoading };
}
