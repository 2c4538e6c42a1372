"use client";

import useSWR from "swr";
import { fetcherFor } from "@/lib/api-client";
import { workspaceListSchema, workspaceSchema } from "@/lib/schemas/workspace";

export const workspacesKey = "/api/workspaces";
export const workspaceKey = (id: number) => `/api/workspaces/${id}`;

export function useWorkspaces() {
  const { data, error, isLoading, mutate } = useSWR(workspacesKey, fetcherFor(workspaceListSchema), { refreshInterval: 15_000 });
  return { workspaces: data?.items, error, isLoading, mutate };
}

export function useWorkspace(id: number | null) {
  const { data, error, isLoading, mutate } = useSWR(id ? workspaceKey(id) : null, fetcherFor(workspaceSchema));
  return { workspace: data, error, isLoading, mutate };
}
