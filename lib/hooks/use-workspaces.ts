"use client";

import useSWR from "swr";
import type { WorkspaceDto } from "@/lib/schemas/workspace";

export interface ListResponse<T> {
  items: T[];
  nextCursor: string | null;
}

export const workspacesKey = "/api/workspaces";
export const workspaceKey = (id: number) => `/api/workspaces/${id}`;

export function useWorkspaces() {
  const { data, error, isLoading, mutate } = useSWR<ListResponse<WorkspaceDto>>(workspacesKey, { refreshInterval: 15_000 });
  return { workspaces: data?.items, error, isLoading, mutate };
}

export function useWorkspace(id: number | null) {
  const { data, error, isLoading, mutate } = useSWR<WorkspaceDto>(id ? workspaceKey(id) : null);
  return { workspace: data, error, isLoading, mutate };
}
